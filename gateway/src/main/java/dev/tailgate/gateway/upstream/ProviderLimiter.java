package dev.tailgate.gateway.upstream;

import io.vertx.core.Future;

/**
 * Per-provider admission: at most {@code max_concurrency} requests in flight, at most {@code max_queue} waiting.
 * {@link #acquire()} completes with a permit when a slot is free, or fails with an
 * {@link dev.tailgate.gateway.ApiException} carrying 429 {@code queue_full} (with Retry-After) when the queue is full.
 * Kept small so a richer limiter can replace {@link SimpleProviderLimiter}.
 */
public interface ProviderLimiter {
    Future<Permit> acquire();

    int inFlight();

    int queued();

    /** Applies new limits after a config reload; requests already admitted are not affected. */
    void reconfigure(int maxConcurrency, int maxQueue);

    /** A slot; release exactly once (further calls are ignored). */
    interface Permit {
        void release();
    }
}
