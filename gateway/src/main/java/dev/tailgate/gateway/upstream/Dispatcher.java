package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.wire.ApiError;
import dev.tailgate.gateway.limit.AdmissionRefusedException;
import dev.tailgate.gateway.limit.Permit;
import dev.tailgate.gateway.limit.ProviderLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one client request upstream: tries the targets in order, each through its breaker and its provider's limiter;
 * moves to the next target only when {@code fallback} is on, the failure is retryable (connect, 5xx, timeout, 429)
 * and nothing has been delivered yet. After the first delivered byte, a failure is handed to the relay to end the
 * response. All attempts share one time budget: the first target's {@code timeout}.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Vertx vertx;
    private final HttpClient client;
    private final ProviderRegistry providers;
    private final AttemptFeedback feedback;

    /** {@code feedback}: the circuit breakers and pauses fed by every attempt (the policy's health registry). */
    public Dispatcher(Vertx vertx, HttpClient client, ProviderRegistry providers, AttemptFeedback feedback) {
        this.vertx = vertx;
        this.client = client;
        this.providers = providers;
        this.feedback = feedback;
    }

    /**
     * What to send: {@code path} below {@code /v1} (e.g. {@code /chat/completions}); {@code body} builds the request
     * body for a target (so the model can be rewritten per target).
     */
    public record Plan(RequestContext ctx, List<Target> targets, boolean fallback, HttpMethod method, String path,
                       Function<Target, UpstreamBody> body) {}

    /** A running dispatch; {@link #cancel()} stops it and resets the upstream request. */
    public interface Handle {
        void cancel();
    }

    public Handle dispatch(Plan plan, Relay<?> relay) {
        Run run = new Run(plan, relay);
        run.next(null);
        return run::cancel;
    }

    private final class Run {
        /** Below this much time left, the budget is spent: starting another attempt would only time out. */
        private static final long MIN_ATTEMPT_MILLIS = 10;

        private final Plan plan;
        private final Relay<?> relay;
        private int index;
        private boolean cancelled;
        private boolean finished;
        private Attempt current;
        private AttemptFeedback.Trial trial;
        /** Why each tried or skipped target failed, "provider/model: reason", for a private request's 503. */
        private final List<String> failures = new ArrayList<>();
        /** One budget for every attempt of this request: the first target's {@code timeout}, from the first try. */
        private long deadlineNanos;

        Run(Plan plan, Relay<?> relay) {
            this.plan = plan;
            this.relay = relay;
        }

        void next(ApiError previous) {
            if (cancelled || finished) return;
            if (index >= plan.targets().size()) {
                finish(previous == null ? ApiError.unavailable("no target for this model", Duration.ofSeconds(5)) : previous);
                return;
            }
            Target target = plan.targets().get(index++);
            ProviderState ps = providers.get(target.provider());
            if (ps == null || ps.config().keyProblem() != null) {
                String why = ps == null ? "is not configured" : "is disabled: " + ps.config().keyProblem();
                failed(target, ApiError.unavailable("provider '" + target.provider() + "' " + why, Duration.ofSeconds(30)), true);
                return;
            }
            boolean first = deadlineNanos == 0;
            long leftMillis = first ? ps.config().timeout().toMillis() : (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (!first && leftMillis < MIN_ATTEMPT_MILLIS) {
                // the request's timeout is one budget across fallbacks: it is spent, so no new attempt starts
                finish(budgetSpent(target, previous));
                return;
            }
            var began = feedback.begin(target.provider());
            if (began.isEmpty()) { // circuit open, or half-open with its one trial out: like a refused slot
                failed(target, ApiError.unavailable("provider '" + target.provider() + "' circuit is open", Duration.ofSeconds(5)), true);
                return;
            }
            AttemptFeedback.Trial tr = began.get();
            trial = tr;
            plan.ctx().target(target.provider(), target.upstreamModel());
            CompletableFuture<Permit> pending = ps.limits().acquire(target.upstreamModel());
            // the limiter completes waiters on whichever thread frees a slot: hop back to this request's event loop
            io.vertx.core.Context loop = Vertx.currentContext();
            Future<Permit> acquired = pending.isDone() || loop == null ? Future.fromCompletionStage(pending)
                    : Future.fromCompletionStage(pending, loop);
            // a queued request waits at most what is left of its budget; a permit that arrives later is handed straight back
            boolean[] gaveUp = {false};
            long queueTimer = acquired.isComplete() ? -1 : vertx.setTimer(leftMillis, t -> {
                if (acquired.isComplete()) return;
                gaveUp[0] = true;
                ProviderLimiter.abandon(pending);
                tr.cancel();
                failed(target, ApiError.unavailable("provider '" + target.provider() + "' is busy: no free slot within "
                        + dev.tailgate.wire.Durations.format(Duration.ofMillis(leftMillis)), Duration.ofSeconds(1)), true);
            });
            acquired.onComplete(ar -> {
                if (queueTimer >= 0) vertx.cancelTimer(queueTimer);
                if (ar.failed()) {
                    tr.cancel(); // refused locally (queue full / timed out): says nothing about the provider
                    Throwable cause = ar.cause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : ar.cause();
                    if (!gaveUp[0]) failed(target, cause instanceof AdmissionRefusedException r ? r.error() : ApiException.of(cause), true);
                    return;
                }
                if (cancelled || gaveUp[0] || finished) {
                    tr.cancel();
                    ar.result().release();
                    return;
                }
                UpstreamBody body;
                try {
                    body = plan.body().apply(target);
                } catch (RuntimeException e) {
                    // a body that cannot be built must answer the client, not escape to the event loop and hang it
                    tr.cancel();
                    ar.result().release();
                    finish(ApiException.of(e));
                    return;
                }
                // the first attempt starts the request's clock with its whole timeout; later ones get what is left
                if (deadlineNanos == 0) deadlineNanos = System.nanoTime() + ps.config().timeout().toNanos();
                Duration budget = Duration.ofMillis(Math.max(MIN_ATTEMPT_MILLIS, (deadlineNanos - System.nanoTime()) / 1_000_000));
                Attempt a = new Attempt(vertx, ps, providers.scrubber(), target, ar.result(), budget.compareTo(ps.config().timeout()) >= 0
                        || first ? ps.config().timeout() : budget);
                current = a;
                a.run(client, plan.method(), plan.path(), body, plan.ctx().requestId(), relay).onComplete(done -> {
                    if (done.succeeded()) {
                        ps.recordSuccess();
                        tr.success();
                        finished = true;
                        return;
                    }
                    if (cancelled) {
                        tr.cancel();
                        return;
                    }
                    UpstreamFailure f = done.cause() instanceof UpstreamFailure uf ? uf
                            : new UpstreamFailure(ApiException.of(done.cause()), false);
                    boolean modelScoped = modelScoped(ps, f);
                    report(tr, target, f, modelScoped);
                    if (modelScoped || f.error().status() == 429) {
                        LOG.info("rid={} target {} refused: {}", plan.ctx().requestId(), target, f.error().message());
                    } else if (f.error().status() >= 500 || f.retryable()) {
                        ps.recordFailure(f.error().message());
                        // our own message (upstream text already scrubbed of keys); never request or response content
                        LOG.warn("rid={} target {} failed: {}", plan.ctx().requestId(), target, f.error().message());
                    }
                    // a 429 is "not now" from this target: with fallback, the next one may take it
                    failed(target, f.error(), (f.retryable() || f.error().status() == 429) && body.resendable());
                });
            });
        }

        /**
         * qwen-local refuses per model (queue full, model file missing, stuck job killed): the provider is up and its
         * other models serve. Its /status probe routes around that one model; tripping the provider's breaker here
         * would refuse every private request for every local model.
         */
        private static boolean modelScoped(ProviderState ps, UpstreamFailure f) {
            return ps.config().local() && f.deliberateRefusal();
        }

        /**
         * The breaker's verdict on a failed attempt (see docs/policy.md, "Health"). An upstream Retry-After pauses that
         * upstream model only (providers limit per model); a 429 says nothing bad about the provider itself.
         */
        private void report(AttemptFeedback.Trial t, Target target, UpstreamFailure f, boolean modelScoped) {
            ApiError e = f.error();
            if (e.retryAfter() != null && (e.status() == 429 || e.status() == 503)) {
                t.pause(target.upstreamModel(), e.retryAfter(), e.status() == 429);
            }
            if (modelScoped || e.status() == 429) t.success();
            else if (e.status() >= 500 || f.retryable()) t.failure(e.message());
            else t.success(); // a 4xx caused by the request: the provider is fine
        }

        private ApiError budgetSpent(Target next, ApiError previous) {
            return ApiError.timeout("The request's timeout was spent before " + next.provider() + "/" + next.upstreamModel()
                    + " could be tried" + (previous == null ? "" : " (last failure: " + previous.message() + ")"));
        }

        private void failed(Target target, ApiError error, boolean mayFallBack) {
            failures.add(target.provider() + "/" + target.upstreamModel() + ": " + error.message());
            if (!relay.committed() && mayFallBack && plan.fallback() && index < plan.targets().size()) {
                plan.ctx().fellBackFrom(target.provider());
                next(error);
            } else {
                finish(error);
            }
        }

        private void finish(ApiError error) {
            if (finished) return;
            finished = true;
            if (!relay.committed()) error = privateRefusal(error);
            if (error.code() != null) plan.ctx().errorCode(error.code());
            if (relay.committed()) relay.abortAfterCommit(error);
            else relay.failBeforeCommit(error);
        }

        /**
         * A private request whose local targets all failed is told so: 503 {@code no_private_route} naming each local
         * target's failure and the external targets left out for privacy — not a 502 that reads like "try again and
         * it may go elsewhere". Refusals that say "not now" (429) or "your request" (4xx) pass unchanged.
         */
        private ApiError privateRefusal(ApiError error) {
            RequestContext ctx = plan.ctx();
            if (!ctx.privateRoute() || error.status() < 500 || failures.isEmpty()) return error;
            List<String> parts = new ArrayList<>(failures);
            if (!ctx.skippedForPrivacy().isEmpty()) parts.add("skipped (not local): " + String.join(", ", ctx.skippedForPrivacy()));
            return ApiError.noPrivateRoute(ctx.model() == null ? "?" : ctx.model(), String.join("; ", parts),
                    error.needsOperator() ? null : error.retryAfter() != null ? error.retryAfter() : Duration.ofSeconds(5));
        }

        void cancel() {
            if (cancelled || finished) return;
            cancelled = true;
            if (current != null) current.cancel();
            if (trial != null) trial.cancel(); // no-op when its attempt already reported
            relay.cancelled();
        }
    }
}
