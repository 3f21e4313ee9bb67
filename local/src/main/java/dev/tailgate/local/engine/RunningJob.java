package dev.tailgate.local.engine;

/** Handle on a submitted job. */
public interface RunningJob {
    /** Stops generation in the engine as soon as it can; the listener then gets onError(CANCELLED). Idempotent. */
    void cancel();
}
