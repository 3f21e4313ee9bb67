package dev.tailgate.local.engine;

/** Loads models. Blocking (loading takes seconds): the scheduler calls it off the event loop. */
public interface EngineFactory {

    LoadedModel load(ModelSpec spec) throws EngineException;

    /** Estimated resident bytes once loaded (file size + context), for the memory budget before loading. */
    long estimateMemoryBytes(ModelSpec spec);
}
