package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.health.TargetHealth;
import dev.tailgate.gateway.health.HealthView;
import dev.tailgate.wire.ApiError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides where a request may go. A pure function of its inputs: no I/O, no clock, no state; the same inputs give the
 * same plan, so the rules below can be tested exhaustively.
 *
 * <ol>
 *   <li>A request is private when the client, the model or the {@code X-Tailgate-Private} header says so. A private
 *       request only ever gets {@code local: true} targets; with none left it is refused with {@code no_private_route}.
 *       No fallback flag, health state or retry can widen that: the external targets are removed here, before anything
 *       else looks at the list, and {@link RoutePlan} refuses to even hold an external target for a private request.</li>
 *   <li>Targets keep the configured order (the config lists them by preference; local first is the usual choice).</li>
 *   <li>A target is skipped when it lacks the capability, when the estimated prompt is larger than its context window,
 *       or when health says it cannot take work (down, circuit open, model stuck/failed/unavailable, queue saturated).
 *       A busy model (working, would queue) is only moved to the end of the candidates.</li>
 *   <li>With {@code fallback: false} only the first target that is allowed at all (privacy, capability) is considered;
 *       if it is too small or unhealthy there is no route. With {@code fallback: true} every fitting target is a
 *       candidate, tried in order on failures before the first byte.</li>
 * </ol>
 */
public final class RoutingPolicy {
    /** How long a client should wait before retrying when nothing can take its request. */
    static final Duration NO_ROUTE_RETRY_AFTER = Duration.ofSeconds(5);
    /** The longest Retry-After a refusal carries, however long a pause or cool-down is left. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private RoutingPolicy() {}

    public static RoutePlan plan(RouteRequest request, ModelRoute route, HealthView health) {
        boolean privateRequest = Privacy.isPrivate(request.clientPrivate(), route.privateOnly(), request.headerPrivate());
        List<Target> candidates = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        List<Rejection> busy = new ArrayList<>();
        boolean firstAllowedSeen = false;

        for (Target target : route.targets()) {
            if (privateRequest && !target.local()) {
                rejected.add(new Rejection(target, RejectReason.EXTERNAL_PROVIDER_FOR_PRIVATE,
                        "request is private and provider '" + target.provider() + "' is not local"));
                continue;
            }
            if (!target.can(request.capability())) {
                rejected.add(new Rejection(target, RejectReason.CAPABILITY_MISSING,
                        "model cannot do " + request.capability().wireName()));
                continue;
            }
            if (!route.fallback() && firstAllowedSeen) {
                rejected.add(new Rejection(target, RejectReason.FALLBACK_DISABLED,
                        "model '" + route.alias() + "' has fallback: false"));
                continue;
            }
            firstAllowedSeen = true;
            if (target.contextWindow() != null && request.estimatedPromptTokens() > target.contextWindow()) {
                rejected.add(new Rejection(target, RejectReason.CONTEXT_TOO_SMALL,
                        "~" + request.estimatedPromptTokens() + " prompt tokens > context " + target.contextWindow()));
                continue;
            }
            TargetHealth h = safeCheck(health, target);
            if (!h.usable()) {
                Rejection r = new Rejection(target, RejectReason.UNHEALTHY, h.reason() == null ? "unhealthy" : h.reason(),
                        h.retryAfter(), h.rateLimited());
                (h.soft() ? busy : rejected).add(r);
                continue;
            }
            candidates.add(target);
        }
        // Busy targets (they would queue) go last rather than away: a busy local model beats no answer, and a private
        // request must not be refused only because its local model is working on someone else's request.
        if (route.fallback() || candidates.isEmpty()) {
            busy.forEach(r -> candidates.add(r.target()));
        } else {
            rejected.addAll(busy);
        }
        ApiError refusal = candidates.isEmpty() ? refusal(request, route, privateRequest, rejected) : null;
        return new RoutePlan(request, route.alias(), privateRequest, candidates, rejected, refusal);
    }

    /** A health view that throws must not crash routing or, worse, be read as "healthy". */
    private static TargetHealth safeCheck(HealthView health, Target target) {
        try {
            TargetHealth h = health.check(target.provider(), target.upstreamModel());
            return h == null ? TargetHealth.unusable("no health answer") : h;
        } catch (RuntimeException e) {
            return TargetHealth.unusable("health check failed");
        }
    }

    private static ApiError refusal(RouteRequest request, ModelRoute route, boolean privateRequest, List<Rejection> rejected) {
        // the targets that could have served this request, but not now (privacy and fallback: false are rules, not states)
        List<Rejection> considered = rejected.stream().filter(r -> r.reason() != RejectReason.EXTERNAL_PROVIDER_FOR_PRIVATE
                && r.reason() != RejectReason.FALLBACK_DISABLED).toList();
        boolean operator = considered.stream().allMatch(Rejection::needsOperator);
        Duration retryAfter = operator ? null : retryAfter(considered);
        if (privateRequest) {
            List<String> parts = new ArrayList<>();
            considered.forEach(r -> parts.add(describe(r)));
            List<String> skipped = rejected.stream().filter(r -> r.reason() == RejectReason.EXTERNAL_PROVIDER_FOR_PRIVATE)
                    .map(r -> r.target().id()).toList();
            if (considered.isEmpty()) parts.add("it has no local target");
            if (!skipped.isEmpty()) parts.add("skipped (not local): " + String.join(", ", skipped));
            return ApiError.noPrivateRoute(route.alias(), String.join("; ", parts), retryAfter);
        }
        boolean allTooSmall = !rejected.isEmpty()
                && rejected.stream().allMatch(r -> r.reason() == RejectReason.CONTEXT_TOO_SMALL
                                                 || r.reason() == RejectReason.FALLBACK_DISABLED)
                && rejected.stream().anyMatch(r -> r.reason() == RejectReason.CONTEXT_TOO_SMALL);
        if (allTooSmall) {
            return new ApiError(400, "invalid_request_error", "context_length_exceeded",
                    "The prompt (~" + request.estimatedPromptTokens() + " tokens) is longer than the context of every target of model '"
                            + route.alias() + "'.", "messages", null);
        }
        String why = rejected.isEmpty() ? "it has no targets"
                // the detail says what to do about it (e.g. qwen-local's "run: ./tailgate models pull ...")
                : rejected.stream().map(RoutingPolicy::describe).collect(Collectors.joining(", "));
        String message = "No target of model '" + route.alias() + "' can take this request now: " + why + ".";
        if (!considered.isEmpty() && considered.stream().allMatch(Rejection::rateLimited)) {
            // every target is paused by its upstream's own 429: the client is being rate limited, say so
            return ApiError.rateLimited(message, retryAfter);
        }
        if (!considered.isEmpty() && operator) return ApiError.modelUnavailable(message);
        return ApiError.unavailable(message, retryAfter);
    }

    private static String describe(Rejection r) {
        return r.target().id() + " (" + r.reason().code() + (r.detail() == null ? "" : ": " + r.detail()) + ")";
    }

    /**
     * The earliest moment a refused target may take work again (the shortest pause or cool-down left), capped at
     * {@link #MAX_RETRY_AFTER}; {@link #NO_ROUTE_RETRY_AFTER} when health does not know.
     */
    private static Duration retryAfter(List<Rejection> considered) {
        Duration min = null;
        for (Rejection r : considered) {
            if (r.needsOperator()) continue;
            if (r.retryAfter() == null) return NO_ROUTE_RETRY_AFTER;
            if (min == null || r.retryAfter().compareTo(min) < 0) min = r.retryAfter();
        }
        if (min == null) return NO_ROUTE_RETRY_AFTER;
        return min.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : min.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : min;
    }
}
