package dev.tailgate.gateway.upstream;

import dev.tailgate.wire.ApiError;

/**
 * Why an attempt failed; {@code retryable} failures (connect, 5xx, timeout) may move on to the next target.
 * {@code deliberateRefusal}: the upstream answered a 429/503 with a well-formed OpenAI error — it is up and chose to
 * refuse (busy queue, model file missing, stuck model), as opposed to crashing, timing out or answering garbage.
 */
public final class UpstreamFailure extends RuntimeException {
    private final ApiError error;
    private final boolean retryable;
    private final boolean deliberateRefusal;

    public UpstreamFailure(ApiError error, boolean retryable) {
        this(error, retryable, false);
    }

    public UpstreamFailure(ApiError error, boolean retryable, boolean deliberateRefusal) {
        super(error.message(), null, false, false);
        this.error = error;
        this.retryable = retryable;
        this.deliberateRefusal = deliberateRefusal;
    }

    public ApiError error() { return error; }
    public boolean retryable() { return retryable; }
    public boolean deliberateRefusal() { return deliberateRefusal; }
}
