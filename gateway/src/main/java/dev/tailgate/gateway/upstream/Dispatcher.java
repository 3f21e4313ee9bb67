package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one client request upstream: tries the targets in order, each through its provider's limiter; moves to the
 * next target only when {@code fallback} is on, the failure is retryable (connect, 5xx, timeout) and nothing has
 * been delivered yet. After the first delivered byte, a failure is handed to the relay to end the response.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Vertx vertx;
    private final HttpClient client;
    private final ProviderRegistry providers;
    private volatile AttemptFeedback feedback = AttemptFeedback.NONE;

    /** Plugs in the circuit breakers fed by every attempt (the routing policy's health registry). */
    public void feedback(AttemptFeedback f) {
        this.feedback = f == null ? AttemptFeedback.NONE : f;
    }

    public Dispatcher(Vertx vertx, HttpClient client, ProviderRegistry providers) {
        this.vertx = vertx;
        this.client = client;
        this.providers = providers;
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

    public Handle dispatch(Plan plan, Relay relay) {
        Run run = new Run(plan, relay);
        run.next(null);
        return run::cancel;
    }

    private final class Run {
        private final Plan plan;
        private final Relay relay;
        private int index;
        private boolean cancelled;
        private boolean finished;
        private Attempt current;
        private AttemptFeedback.Trial trial;

        Run(Plan plan, Relay relay) {
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
                retryOrFinish(ApiError.unavailable("provider '" + target.provider() + "' " + why, Duration.ofSeconds(30)), true);
                return;
            }
            var began = feedback.begin(target.provider());
            if (began.isEmpty()) { // circuit open, or half-open with its one trial out: like a refused slot
                retryOrFinish(ApiError.unavailable("provider '" + target.provider() + "' circuit is open", Duration.ofSeconds(5)), true);
                return;
            }
            AttemptFeedback.Trial tr = began.get();
            trial = tr;
            plan.ctx().target(target.provider(), target.upstreamModel());
            var acquired = ps.limiter().acquire();
            // a queued request waits at most the provider's timeout; a permit that arrives later is handed straight back
            boolean[] gaveUp = {false};
            long queueTimer = acquired.isComplete() ? -1 : vertx.setTimer(ps.config().timeout().toMillis(), t -> {
                if (acquired.isComplete()) return;
                gaveUp[0] = true;
                tr.cancel();
                retryOrFinish(ApiError.unavailable("provider '" + target.provider() + "' is busy: no free slot within "
                        + dev.tailgate.wire.Durations.format(ps.config().timeout()), Duration.ofSeconds(1)), true);
            });
            acquired.onComplete(ar -> {
                if (queueTimer >= 0) vertx.cancelTimer(queueTimer);
                if (ar.failed()) {
                    tr.cancel(); // refused locally (queue full / timed out): says nothing about the provider
                    if (!gaveUp[0]) retryOrFinish(ApiException.of(ar.cause()), true);
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
                Attempt a = new Attempt(vertx, ps, target, ar.result());
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
                    if (modelScoped(ps, f)) {
                        // qwen-local refuses per model (queue full, model file missing, stuck job killed): the provider
                        // is up and its other models serve. Its /status probe routes around that one model; tripping
                        // the provider's breaker here would refuse every private request for every local model.
                        tr.success();
                        LOG.info("rid={} target {} refused: {}", plan.ctx().requestId(), target, f.error().message());
                    } else {
                        report(tr, f);
                    }
                    if (!modelScoped(ps, f) && (f.error().status() >= 500 || f.retryable())) {
                        ps.recordFailure(f.error().message());
                        // our own message (upstream text already scrubbed of keys); never request or response content
                        LOG.warn("rid={} target {} failed: {}", plan.ctx().requestId(), target, f.error().message());
                    }
                    retryOrFinish(f.error(), f.retryable() && body.resendable());
                });
            });
        }

        private static boolean modelScoped(ProviderState ps, UpstreamFailure f) {
            return ps.config().local() && f.deliberateRefusal();
        }

        /** The breaker's verdict on a failed attempt (see docs/policy.md, "Health"). */
        private void report(AttemptFeedback.Trial t, UpstreamFailure f) {
            ApiError e = f.error();
            if (e.retryAfter() != null && (e.status() == 429 || e.status() == 503)) t.retryAfter(e.retryAfter(), e.message());
            else if (e.status() >= 500 || f.retryable()) t.failure(e.message());
            else t.success(); // a 4xx caused by the request: the provider is fine
        }

        private void retryOrFinish(ApiError error, boolean retryable) {
            if (!relay.committed() && retryable && plan.fallback() && index < plan.targets().size()) {
                next(error);
            } else {
                finish(error);
            }
        }

        private void finish(ApiError error) {
            if (finished) return;
            finished = true;
            if (error.code() != null) plan.ctx().errorCode(error.code());
            if (relay.committed()) relay.abortAfterCommit(error);
            else relay.failBeforeCommit(error);
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
