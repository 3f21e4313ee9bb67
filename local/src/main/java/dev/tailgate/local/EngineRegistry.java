package dev.tailgate.local;

import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFactory;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps the config's {@code engine:} name to the factory that runs it. A name the config may use but this build cannot
 * run yet ({@link #declare}) loads as a clear failure in /status instead of a config error.
 */
public final class EngineRegistry implements EngineFactory {
    private final Map<String, EngineFactory> factories = new LinkedHashMap<>();
    private final Set<String> declared = new TreeSet<>();

    public EngineRegistry register(String engine, EngineFactory factory) {
        factories.put(engine, factory);
        declared.add(engine);
        return this;
    }

    /** An engine name the config may use even though no factory is registered for it in this build. */
    public EngineRegistry declare(String engine) {
        declared.add(engine);
        return this;
    }

    /** Engine names the config may use. */
    public Set<String> names() {
        return Set.copyOf(declared);
    }

    @Override
    public LoadedModel load(ModelSpec spec) throws EngineException {
        EngineFactory f = factories.get(spec.engine());
        if (f == null) throw new EngineException("engine '" + spec.engine() + "' is not available in this build of qwen-local");
        return f.load(spec);
    }

    @Override
    public String unavailableReason(ModelSpec spec) {
        EngineFactory f = factories.get(spec.engine());
        return f == null ? null : f.unavailableReason(spec);
    }

    @Override
    public long estimateMemoryBytes(ModelSpec spec) {
        EngineFactory f = factories.get(spec.engine());
        if (f != null) return f.estimateMemoryBytes(spec);
        try {
            return spec.file() == null ? 0 : Files.size(spec.file());
        } catch (IOException e) {
            return 0;
        }
    }
}
