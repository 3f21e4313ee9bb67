package dev.tailgate.local.http;

import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.wire.ApiError;
import java.time.Duration;

/** The one mapping from an engine/scheduler failure to the HTTP error a client sees. */
final class Failures {
    private Failures() {}

    static ApiError toApiError(EngineFailure f) {
        String msg = f.message() == null || f.message().isBlank() ? "The model failed." : f.message();
        return switch (f.kind()) {
            case BAD_REQUEST -> ApiError.badRequest(msg);
            case WORKER_DIED, CANCELLED -> ApiError.unavailable(msg, Duration.ofSeconds(2));
            case ENGINE_ERROR -> ApiError.internal(msg);
        };
    }
}
