package dev.tailgate.local.engine.server;

import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFactory;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.llama.LlamaMemoryEstimate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code llama-server} engine: each model is a supervised llama.cpp {@code llama-server} process on a private
 * loopback port ({@link LlamaServerModel}), started with {@code --jinja} so that the model's own chat template renders
 * tools and reasoning and llama.cpp parses the calls. Without the binary its models are unavailable, with the install
 * command as the reason.
 */
public final class LlamaServerFactory implements EngineFactory {
    /** The server's own code, libraries and HTTP threads on top of the model. */
    static final long PROCESS_OVERHEAD_BYTES = 64L << 20;

    private final Supplier<Optional<Path>> binary;
    private final Path logDir;
    private final Duration loadTimeout;

    public LlamaServerFactory(Supplier<Optional<Path>> binary, Path logDir, Duration loadTimeout) {
        this.binary = Objects.requireNonNull(binary);
        this.logDir = Objects.requireNonNull(logDir);
        this.loadTimeout = Objects.requireNonNull(loadTimeout);
    }

    /** The binary found as {@link LlamaServerBinary#find()} says, worker logs in {@code logDir}. */
    public static LlamaServerFactory defaults(Path logDir) {
        return new LlamaServerFactory(LlamaServerBinary::find, logDir, Duration.ofSeconds(120));
    }

    @Override
    public String unavailableReason(ModelSpec spec) {
        return binary.get().isPresent() ? null : LlamaServerBinary.installHint();
    }

    @Override
    public LoadedModel load(ModelSpec spec) throws EngineException {
        Path bin = binary.get().orElseThrow(() -> new EngineException(LlamaServerBinary.installHint()));
        if (spec.file() == null) throw new EngineException("model '" + spec.id() + "' has no GGUF file configured");
        return LlamaServerModel.start(bin, spec, logDir, loadTimeout, estimateMemoryBytes(spec));
    }

    @Override
    public long estimateMemoryBytes(ModelSpec spec) {
        return LlamaMemoryEstimate.bytes(spec) + PROCESS_OVERHEAD_BYTES;
    }
}
