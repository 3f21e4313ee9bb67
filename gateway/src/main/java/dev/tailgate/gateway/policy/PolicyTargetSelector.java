package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.Capability;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.health.HealthView;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's target selection backed by {@link RoutingPolicy}: privacy, health (probes, breakers, pauses) and
 * fallback rules, with every decision written to the {@link AuditLog}. Refusals are thrown as {@link ApiException}
 * ({@code no_private_route}, {@code unavailable}, {@code rate_limited}, {@code model_unavailable}).
 *
 * <p>The route comes from the config snapshot the request started with, built once at load (local flags, context
 * windows, capabilities), so nothing is converted here; what changes at run time is asked of {@link HealthView}.
 * The prompt estimate comes from the request context (set by the routes from the body).
 */
public final class PolicyTargetSelector {
    private final HealthView health;
    private final AuditLog audit;

    public PolicyTargetSelector(HealthView health, AuditLog audit) {
        this.health = health;
        this.audit = audit;
    }

    /**
     * The targets to try for {@code route}, in order; throws {@link ApiException} to refuse (e.g. 503
     * {@code no_private_route}). Only the first is used unless the route has {@code fallback: true}.
     */
    public List<Target> select(RequestContext ctx, ModelRoute route) {
        RouteRequest request = new RouteRequest(ctx.requestId(),
                ctx.caller() == null ? null : ctx.caller().name(),
                ctx.caller() != null && ctx.caller().privateOnly(), ctx.privateHeader(),
                route.alias(), capabilityOf(ctx.path()), ctx.estimatedPromptTokens());
        RoutePlan plan = RoutingPolicy.plan(request, route, health);
        audit.record(plan);
        ctx.privateRoute(plan.privateRequest(), skippedForPrivacy(plan));
        if (!plan.routable()) throw new ApiException(plan.refusal());
        return plan.candidates();
    }

    /** The external targets a private request left out, for its error message; none for any other request. */
    private static List<String> skippedForPrivacy(RoutePlan plan) {
        if (!plan.privateRequest()) return List.of();
        List<String> out = new ArrayList<>(2);
        for (Rejection r : plan.rejected()) {
            if (r.reason() == RejectReason.EXTERNAL_PROVIDER_FOR_PRIVATE) out.add(r.target().id());
        }
        return out;
    }

    static Capability capabilityOf(String path) {
        if (path == null) return Capability.CHAT;
        if (path.endsWith("/embeddings")) return Capability.EMBEDDINGS;
        if (path.endsWith("/audio/speech")) return Capability.SPEECH;
        if (path.endsWith("/audio/transcriptions") || path.endsWith("/audio/translations")) return Capability.TRANSCRIPTION;
        return Capability.CHAT;
    }
}
