package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.health.CircuitBreaker;
import dev.tailgate.gateway.health.HealthRegistry;
import dev.tailgate.gateway.health.ProviderHealth;
import dev.tailgate.gateway.limit.AdmissionControl;
import dev.tailgate.gateway.limit.AdmissionRefusedException;
import dev.tailgate.gateway.limit.Permit;
import dev.tailgate.gateway.limit.ProviderLimiter;
import dev.tailgate.wire.ApiError;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Walks a {@link RoutePlan} for the relay: hands out one {@link Lease} at a time (a candidate its breaker admits and
 * its provider limiter granted a slot to), and the next only after the relay reports a failure before the first byte.
 * Targets come from the plan and nowhere else, so a private request can only ever reach a local provider.
 *
 * <pre>
 * RouteAttempts tries = new RouteAttempts(plan, health, admission);
 * tries.next() -> Optional&lt;Lease&gt;: empty = nothing left, answer tries.exhausted()
 *   lease.target() -> send; then exactly one of lease.succeeded() / failed(msg) / refused(retryAfter, msg) / cancelled()
 *   failed before the first byte and more candidates? -> tries.next() again
 * client went away at any time -> tries.abandon()
 * </pre>
 */
public final class RouteAttempts {
    private final RoutePlan plan;
    private final HealthRegistry health;
    private final AdmissionControl admission;

    private int nextIndex;
    private ApiError lastRefusal;
    private CompletableFuture<Permit> pendingPermit;
    private CircuitBreaker.Attempt pendingAttempt;
    private Lease current;
    private boolean abandoned;

    public RouteAttempts(RoutePlan plan, HealthRegistry health, AdmissionControl admission) {
        this.plan = plan;
        this.health = health;
        this.admission = admission;
    }

    public RoutePlan plan() {
        return plan;
    }

    /** True when a failed lease may be followed by another attempt (there is another candidate left). */
    public synchronized boolean hasMore() {
        return !abandoned && nextIndex < plan.candidates().size();
    }

    /** The next lease, or empty when no candidate is left or could be admitted. Never fails. */
    public CompletableFuture<Optional<Lease>> next() {
        RouteTarget target;
        CircuitBreaker.Attempt attempt;
        CompletableFuture<Permit> permit;
        synchronized (this) {
            if (abandoned) return CompletableFuture.completedFuture(Optional.empty());
            if (current != null && !current.done) throw new IllegalStateException("finish the current lease before asking for the next");
            target = null;
            attempt = null;
            while (nextIndex < plan.candidates().size()) {
                RouteTarget t = plan.candidates().get(nextIndex++);
                Optional<ProviderHealth> ph = health.provider(t.provider());
                if (ph.isEmpty()) continue;
                Optional<CircuitBreaker.Attempt> a = ph.get().begin();
                if (a.isEmpty()) continue; // open, or half-open with its one trial out: skip
                target = t;
                attempt = a.get();
                break;
            }
            if (target == null) return CompletableFuture.completedFuture(Optional.empty());
            permit = admission.acquire(target.provider());
            pendingPermit = permit;
            pendingAttempt = attempt;
        }
        final RouteTarget chosen = target;
        final CircuitBreaker.Attempt breakerAttempt = attempt;
        return permit.handle((p, err) -> {
            synchronized (this) {
                pendingPermit = null;
                pendingAttempt = null;
                if (err == null && !abandoned) {
                    current = new Lease(chosen, breakerAttempt, p, health.provider(chosen.provider()).orElseThrow());
                    return Optional.of(current);
                }
                breakerAttempt.cancel(); // refused locally: says nothing about the provider
                if (p != null) p.release();
                Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                if (cause instanceof AdmissionRefusedException r) lastRefusal = r.error();
                return null;
            }
        }).thenCompose(lease -> lease != null ? CompletableFuture.completedFuture(lease) : next());
    }

    /**
     * What to answer when {@link #next()} gave nothing and no upstream answer is to be relayed: the last local refusal
     * (429 queue_full with Retry-After), or no_private_route for a private request, or 503 unavailable.
     */
    public synchronized ApiError exhausted() {
        if (plan.refusal() != null) return plan.refusal();
        if (lastRefusal != null) return lastRefusal;
        if (plan.privateRequest()) return ApiError.noPrivateRoute(plan.modelAlias());
        return ApiError.unavailable("Every target of model '" + plan.modelAlias() + "' is refusing work right now.",
                RoutingPolicy.NO_ROUTE_RETRY_AFTER);
    }

    /** The client went away: stops a wait for a slot and ends the current lease as cancelled. Idempotent. */
    public void abandon() {
        CompletableFuture<Permit> waiting;
        CircuitBreaker.Attempt attempt;
        Lease lease;
        synchronized (this) {
            abandoned = true;
            waiting = pendingPermit;
            attempt = pendingAttempt;
            lease = current;
        }
        if (waiting != null) ProviderLimiter.abandon(waiting);
        if (attempt != null) attempt.cancel();
        if (lease != null) lease.cancelled();
    }

    /** One attempt at one target: holds its provider slot and its breaker attempt until an outcome is reported. */
    public static final class Lease {
        private final RouteTarget target;
        private final CircuitBreaker.Attempt attempt;
        private final Permit permit;
        private final ProviderHealth provider;
        private volatile boolean done;

        private Lease(RouteTarget target, CircuitBreaker.Attempt attempt, Permit permit, ProviderHealth provider) {
            this.target = target;
            this.attempt = attempt;
            this.permit = permit;
            this.provider = provider;
        }

        public RouteTarget target() {
            return target;
        }

        /** The provider answered (including a 4xx caused by the request: the provider itself is fine). */
        public void succeeded() {
            finish(() -> attempt.success());
        }

        /** Connect error, timeout, 5xx, broken stream. {@code error} is our own short text (never an upstream body). */
        public void failed(String error) {
            finish(() -> {
                provider.noteError(error);
                attempt.failure();
            });
        }

        /** 429/503 with Retry-After: the breaker stays open at least that long. */
        public void refused(Duration retryAfter, String error) {
            finish(() -> {
                provider.noteError(error);
                attempt.retryAfter(retryAfter);
            });
        }

        /** The client went away: free the slot, no verdict on the provider. */
        public void cancelled() {
            finish(attempt::cancel);
        }

        private void finish(Runnable outcome) {
            synchronized (this) {
                if (done) return;
                done = true;
            }
            try {
                outcome.run();
            } finally {
                permit.release();
            }
        }
    }
}
