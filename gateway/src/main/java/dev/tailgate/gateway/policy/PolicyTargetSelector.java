package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.health.HealthView;
import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.config.Target;
import java.util.List;
import java.util.Set;

/**
 * The gateway's {@link TargetSelector} backed by {@link RoutingPolicy}: privacy, health (probes, breakers, saturation)
 * and fallback rules, with every decision written to the {@link AuditLog}. Refusals are thrown as {@link ApiException}
 * ({@code no_private_route}, {@code unavailable}, {@code rate_limited}, {@code model_unavailable}).
 *
 * <p>Reads the config it is handed on every call, so a reload (new providers, changed {@code local} flags) applies to
 * the next request. The prompt estimate comes from the request context (set by the routes from the body).
 */
public final class PolicyTargetSelector {
    private final HealthView health;
    private final AuditLog audit;
    private final java.util.function.Supplier<PolicySettings> settings;

    public PolicyTargetSelector(HealthView health, AuditLog audit) {
        this(health, audit, () -> null);
    }

    /** {@code settings} supplies the live policy keys (context windows, capabilities); may supply null. */
    public PolicyTargetSelector(HealthView health, AuditLog audit, java.util.function.Supplier<PolicySettings> settings) {
        this.health = health;
        this.audit = audit;
        this.settings = settings;
    }

    /**
     * The targets to try for {@code route}, in order; throws {@link ApiException} to refuse (e.g. 503
     * {@code no_private_route}). Only the first is used unless the route has {@code fallback: true}.
     */
    public List<Target> select(RequestContext ctx, dev.tailgate.gateway.config.ModelRoute route, GatewayConfig config) {
        RouteRequest request = new RouteRequest(ctx.requestId(),
                ctx.caller() == null ? null : ctx.caller().name(),
                ctx.caller() != null && ctx.caller().privateOnly(), ctx.privateHeader(),
                route.alias(), capabilityOf(ctx.path()), ctx.estimatedPromptTokens());
        RoutePlan plan = RoutingPolicy.plan(request, toPolicyRoute(route, config, settings.get()), health);
        audit.record(plan);
        ctx.privateRoute(plan.privateRequest(), plan.rejected().stream()
                .filter(r -> r.reason() == RejectReason.EXTERNAL_PROVIDER_FOR_PRIVATE).map(r -> r.target().id()).toList());
        if (!plan.routable()) throw new ApiException(plan.refusal());
        return plan.candidates().stream().map(t -> new Target(t.provider(), t.upstreamModel())).toList();
    }

    /** A target whose provider is missing from the config is treated as external: never a place for private work. */
    static ModelRoute toPolicyRoute(dev.tailgate.gateway.config.ModelRoute route, GatewayConfig config) {
        return toPolicyRoute(route, config, null);
    }

    /**
     * Context windows come from {@code models.ALIAS.context_windows}; capabilities only when the model sets
     * {@code capability} explicitly ({@link PolicySettings} leaves them empty otherwise: "unknown", never a reason to skip).
     */
    static ModelRoute toPolicyRoute(dev.tailgate.gateway.config.ModelRoute route, GatewayConfig config, PolicySettings s) {
        ModelRoute configured = s == null ? null : s.models().get(route.alias());
        List<RouteTarget> targets = route.targets().stream().map(t -> {
            ProviderConfig p = config.providers().get(t.provider());
            RouteTarget known = configured == null ? null : configured.targets().stream()
                    .filter(x -> x.provider().equals(t.provider()) && x.upstreamModel().equals(t.upstreamModel()))
                    .findFirst().orElse(null);
            return new RouteTarget(t.provider(), t.upstreamModel(), p != null && p.local(),
                    known == null ? null : known.contextWindow(),
                    known == null ? Set.of() : known.capabilities());
        }).toList();
        return new ModelRoute(route.alias(), route.privateOnly(), route.fallback(), targets);
    }

    static Capability capabilityOf(String path) {
        if (path == null) return Capability.CHAT;
        if (path.endsWith("/embeddings")) return Capability.EMBEDDINGS;
        if (path.endsWith("/audio/speech")) return Capability.SPEECH;
        if (path.endsWith("/audio/transcriptions") || path.endsWith("/audio/translations")) return Capability.TRANSCRIPTION;
        return Capability.CHAT;
    }
}
