package dev.tailgate.gateway.upstream;

import dev.tailgate.wire.ApiError;

/** Why an attempt failed; {@code retryable} failures (connect, 5xx, timeout) may move on to the next target. */
public final class UpstreamFailure extends RuntimeException {
    private final ApiError error;
    private final boolean retryable;

    public UpstreamFailure(ApiError error, boolean retryable) {
        super(error.message(), null, false, false);
        this.error = error;
        this.retryable = retryable;
    }

    public ApiError error() { return error; }
    public boolean retryable() { return retryable; }
}
