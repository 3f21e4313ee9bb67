package dev.tailgate.local.engine;

/**
 * A model that is loaded and can run jobs — as the scheduler sees it. The production implementation runs the engine
 * in a supervised worker process; in-process implementations exist for benchmarks and engine tests.
 *
 * <p>Contract: {@link #submit} never blocks the caller; every submitted job ends with exactly one of
 * {@link JobListener#onComplete} or {@link JobListener#onError}, including when the worker dies.
 */
public interface LoadedModel extends AutoCloseable {

    RunningJob submit(EngineRequest request, JobListener listener);

    /** Resident memory attributed to this model (worker RSS, or the estimate before it is measured). */
    long memoryBytes();

    /** The process the model runs in (worker or server) with its resident memory; null for in-process engines. */
    default ProcessFootprint footprint() {
        return null;
    }

    /** False once the worker has exited or been killed; the scheduler then reloads on the next request. */
    boolean alive();

    /** Why the model died, when {@link #alive()} is false; null otherwise. */
    String deathReason();

    /** Stops the engine and returns its memory to the OS (kills the worker process). Idempotent. */
    @Override
    void close();
}
