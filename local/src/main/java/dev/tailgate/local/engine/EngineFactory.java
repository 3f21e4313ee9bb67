package dev.tailgate.local.engine;

/** Loads models. Blocking (loading takes seconds): the scheduler calls it off the event loop. */
public interface EngineFactory {

    LoadedModel load(ModelSpec spec) throws EngineException;

    /** Estimated resident bytes once loaded (file size + context), for the memory budget before loading. */
    long estimateMemoryBytes(ModelSpec spec);

    /**
     * Null when {@code spec} could be loaded as far as the engine itself goes; otherwise why not, with what fixes it
     * (e.g. an engine binary that is not installed). Checked on every use, like a missing model file.
     */
    default String unavailableReason(ModelSpec spec) {
        return null;
    }
}
