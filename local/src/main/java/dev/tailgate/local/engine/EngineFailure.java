package dev.tailgate.local.engine;

/** Why a job failed. {@code kind} decides the HTTP status the API answers with. */
public record EngineFailure(Kind kind, String message) {

    public enum Kind {
        /** The request cannot be served as asked (bad grammar/schema, prompt longer than the context): 400. */
        BAD_REQUEST,
        /** The worker crashed or was killed (stuck, OOM, native abort): 503, retryable. */
        WORKER_DIED,
        /** The job was cancelled (client went away, shutdown). */
        CANCELLED,
        /** Anything else the engine reported: 500-class, message safe to show. */
        ENGINE_ERROR
    }
}
