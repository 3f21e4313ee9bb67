package dev.tailgate.local.engine.llama;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.ModelSpec;
import java.io.IOException;
import java.util.function.UnaryOperator;

/** Opens GGUF files with llama.cpp — after checking, in Java, everything that would make the native loader abort. */
final class GgufModels {
    static final int DEFAULT_CONTEXT = 4096;

    private GgufModels() {}

    /** The header of {@code spec}'s file, if it is a readable GGUF of a supported architecture. */
    static GgufHeader check(ModelSpec spec) throws EngineException {
        if (spec.file() == null) throw new EngineException("model '" + spec.id() + "' has no GGUF file configured");
        GgufHeader header;
        try {
            header = GgufHeader.read(spec.file());
        } catch (IOException e) {
            throw new EngineException("cannot load '" + spec.id() + "': " + e.getMessage(), e);
        }
        String arch = header.architecture();
        if (!SupportedArchitectures.isSupported(arch)) {
            throw new EngineException("model '" + spec.id() + "' has architecture '" + arch
                    + "', which the bundled llama.cpp (b4916) cannot run; supported: "
                    + String.join(", ", SupportedArchitectures.VERIFIED.stream().sorted().toList()));
        }
        return header;
    }

    static int context(ModelSpec spec) {
        return spec.context() > 0 ? spec.context() : DEFAULT_CONTEXT;
    }

    /** Loads the (already checked) file with our fixed settings plus {@code customize}'s. */
    static LlamaModel open(ModelSpec spec, UnaryOperator<ModelParameters> customize) throws EngineException {
        LlamaNative.prepare();
        // llama.cpp scales with cores; unset means all of them (the HTTP side needs little CPU).
        int threads = spec.threads() > 0 ? spec.threads() : Math.max(1, Runtime.getRuntime().availableProcessors());
        ModelParameters params = new ModelParameters()
                .setModel(spec.file().toString())
                // llama.cpp splits the context between its parallel sequences: give each the configured context.
                .setCtxSize(context(spec) * spec.parallel())
                .setThreads(threads)
                .setThreadsBatch(threads)
                .setParallel(spec.parallel())
                .disableContextShift()
                .disableLog();
        try {
            return new LlamaModel(customize.apply(params));
        } catch (RuntimeException e) {
            throw new EngineException("llama.cpp could not load '" + spec.id() + "': " + e.getMessage(), e);
        }
    }
}
