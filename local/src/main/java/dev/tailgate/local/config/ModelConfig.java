package dev.tailgate.local.config;

import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ModelSpec.Capability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One entry under {@code models:}. {@code file} is already resolved against {@code models_dir} (absolute), or null for
 * engines with a built-in model. {@code keepAlive} zero means "never unload".
 */
public record ModelConfig(
        String id,
        Capability capability,
        String engine,
        Path file,
        String source,
        int context,
        int threads,
        int maxConcurrency,
        int maxQueue,
        Duration keepAlive,
        Duration stuckAfter) {

    public static final int DEFAULT_MAX_CONCURRENCY = 1;
    public static final int DEFAULT_MAX_QUEUE = 8;
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(10);
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofSeconds(60);

    /** The engine runs as many jobs at once as the scheduler lets through: {@code parallel = max_concurrency}. */
    public ModelSpec spec() {
        return new ModelSpec(id, capability, engine, file, context, threads, maxConcurrency);
    }

    /**
     * Null while the model can be loaded; otherwise why not, with the command that fixes it. Checked on every use
     * (not only at start) so that a model pulled while the service runs becomes available without a restart. Names
     * the file by its name only: the reason is shown in {@code /status}, {@code /health} and errors to clients, which
     * have no business knowing where the home is ({@code local.yaml} says where it is looked for).
     */
    public String missingFileReason() {
        if (file == null || Files.isRegularFile(file)) return null;
        // one pull command everywhere: by model id (local.yaml's source, else the catalog entry of that name)
        return "model file " + file.getFileName() + " is missing — run: tailgate models pull " + id;
    }
}
