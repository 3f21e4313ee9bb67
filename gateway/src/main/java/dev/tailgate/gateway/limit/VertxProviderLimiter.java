package dev.tailgate.gateway.limit;

import dev.tailgate.gateway.ApiException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@link ProviderLimiter} behind the request path's {@code upstream.ProviderLimiter} interface, adding what the simple
 * one lacks: a queue wait timeout (429 queue_full with Retry-After instead of waiting forever) and removal of a waiter
 * that is given up ({@link #abandon}). Refusals surface as the request path's {@link ApiException}. Results are
 * delivered on the caller's Vert.x context, so handlers run on the event loop that asked.
 *
 * <p>To use: in {@code ProviderState} replace {@code new SimpleProviderLimiter(name, c, q)} with
 * {@code new VertxProviderLimiter(vertx, name, c, q, queueTimeout)}.
 */
public final class VertxProviderLimiter implements dev.tailgate.gateway.upstream.ProviderLimiter {
    private final ProviderLimiter limiter;

    public VertxProviderLimiter(Vertx vertx, String name, int maxConcurrency, int maxQueue, Duration queueTimeout) {
        this.limiter = new ProviderLimiter(name, maxConcurrency, maxQueue, queueTimeout, Timers.of(vertx));
    }

    /** For tests and callers without Vert.x timers. */
    public VertxProviderLimiter(ProviderLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public Future<Permit> acquire() {
        // completeExceptionally (not a throw inside handle) so the cause is not wrapped in a CompletionException.
        CompletableFuture<Permit> mapped = new CompletableFuture<>();
        limiter.acquire().whenComplete((p, err) -> {
            if (err == null) {
                mapped.complete(p::release);
                return;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            mapped.completeExceptionally(cause instanceof AdmissionRefusedException r ? new ApiException(r.error()) : cause);
        });
        Context ctx = Vertx.currentContext();
        return ctx == null ? Future.fromCompletionStage(mapped) : Future.fromCompletionStage(mapped, ctx);
    }

    @Override
    public int inFlight() {
        return limiter.inFlight();
    }

    @Override
    public int queued() {
        return limiter.queued();
    }

    @Override
    public void reconfigure(int maxConcurrency, int maxQueue) {
        limiter.reconfigure(maxConcurrency, maxQueue);
    }

    public ProviderLimiter limiter() {
        return limiter;
    }
}
