package dev.tailgate.local.sched;

import dev.tailgate.local.config.ModelConfig;
import dev.tailgate.local.engine.LoadedModel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;

/** The scheduler's state for one configured model. Every field is guarded by the scheduler lock. */
final class ModelSlot {
    enum Problem { NONE, LOAD_FAILED, DIED, STUCK }

    /** Replaced by a local.yaml reload; guarded by the scheduler lock like every field. */
    ModelConfig config;
    /** The loaded engine was made from an older config (file, context, threads, max_concurrency): reload when idle. */
    boolean stale;
    /** Removed from local.yaml: finishes its jobs, then unloads; takes no new ones. */
    boolean removed;
    final Deque<Job> waiting = new ArrayDeque<>();
    final Set<Job> running = new LinkedHashSet<>();

    LoadedModel model;
    boolean loading;
    Problem problem = Problem.NONE;
    /** Why the model is in its state (failure, death, stuck job, no memory); null when all is well. */
    String reason;
    long lastUsedAt;
    /** What the engine estimated before loading; the budget holds at least this much while the model is loaded. */
    long estimateBytes;
    /** Exponentially weighted job duration, for a Retry-After that means something. */
    double avgJobMillis = -1;

    /** Why the engine cannot run this model right now (e.g. its binary is not installed), or null. */
    Supplier<String> engineUnavailable;

    ModelSlot(ModelConfig config, long now, Supplier<String> engineUnavailable) {
        this.config = config;
        this.lastUsedAt = now;
        this.engineUnavailable = engineUnavailable;
    }

    /** Null while the model can be loaded; otherwise why not, with the command that fixes it. */
    String unavailableReason() {
        String missing = config.missingFileReason();
        return missing != null ? missing : engineUnavailable.get();
    }

    String id() {
        return config.id();
    }

    int capacity() {
        return config.maxConcurrency() + config.maxQueue();
    }

    boolean idleLoaded() {
        return model != null && !loading && running.isEmpty() && waiting.isEmpty();
    }

    ModelState state() {
        if (unavailableReason() != null) return ModelState.UNAVAILABLE;
        if (loading) return ModelState.LOADING;
        if (model != null) return running.isEmpty() && waiting.isEmpty() ? ModelState.READY : ModelState.BUSY;
        return switch (problem) {
            case STUCK -> ModelState.STUCK;
            case LOAD_FAILED, DIED -> ModelState.FAILED;
            case NONE -> ModelState.UNLOADED;
        };
    }

    void recordDuration(long millis) {
        avgJobMillis = avgJobMillis < 0 ? millis : avgJobMillis * 0.8 + millis * 0.2;
    }
}
