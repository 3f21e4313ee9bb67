package dev.tailgate.gateway;

import dev.tailgate.gateway.auth.Authenticator;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.observe.Metrics;
import dev.tailgate.gateway.policy.PolicyRuntime;
import dev.tailgate.gateway.upstream.Dispatcher;
import dev.tailgate.gateway.upstream.ProviderRegistry;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running gateway's shared parts: the current config snapshot (swapped whole on reload), the authenticator built
 * from it, provider states, the policy (routing, breakers, admission, ledger), the dispatcher and metrics. Assembled
 * once by {@link GatewayServer}, in dependency order; nothing here is replaced afterwards except the config snapshot.
 * Routes and the internal APIs reach everything through here.
 */
public final class Gateway {
    /** A config and what was derived from it; replaced atomically so a request sees one consistent version. */
    public record Snapshot(GatewayConfig config, Authenticator authenticator, long loadedEpochSeconds) {}

    private final Vertx vertx;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
    private final ProviderRegistry providers;
    private final Dispatcher dispatcher;
    private final Metrics metrics;
    private final PolicyRuntime policy;
    private final dev.tailgate.gateway.limit.BodyBudget bodyBudget = new dev.tailgate.gateway.limit.BodyBudget(() -> config().bodyBudget());

    Gateway(Vertx vertx, ProviderRegistry providers, Dispatcher dispatcher, Metrics metrics, PolicyRuntime policy,
            GatewayConfig config, long loadedEpochSeconds) {
        this.vertx = vertx;
        this.providers = providers;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.policy = policy;
        install(config, loadedEpochSeconds);
    }

    public Vertx vertx() { return vertx; }
    public Snapshot snapshot() { return snapshot.get(); }
    public GatewayConfig config() { return snapshot.get().config(); }
    public ProviderRegistry providers() { return providers; }
    public Dispatcher dispatcher() { return dispatcher; }
    public Metrics metrics() { return metrics; }
    /** The policy (routing, breakers, client admission, audit, ledger). */
    public PolicyRuntime policy() { return policy; }
    /** The bound on request bodies held in memory by all requests at once ({@code body_budget}). */
    public dev.tailgate.gateway.limit.BodyBudget bodyBudget() { return bodyBudget; }

    void install(GatewayConfig config, long epochSeconds) {
        providers.apply(config);
        snapshot.set(new Snapshot(config, new Authenticator(config.clients()), epochSeconds));
    }

    /**
     * The route for {@code alias} as the caller in {@code ctx} may use it: 404 {@code model_not_found} when no such
     * alias, 403 {@code model_not_allowed} when the key's globs exclude it. Records the model on the context.
     */
    public ModelRoute route(RequestContext ctx, String alias) {
        ModelNames.require(alias);
        ModelRoute r = config().models().get(alias);
        if (r == null) throw new ApiException(ApiError.modelNotFound(alias));
        if (ctx.caller() != null && !ctx.caller().mayUse(alias)) throw new ApiException(ApiError.modelNotAllowed(alias));
        ctx.model(alias);
        return r;
    }

    /**
     * The targets to try for {@code route}, in order. Runs client admission first (402 budget, 429 rate limit with
     * Retry-After), then the routing policy (may throw 503 {@code no_private_route}). Decided once per request: a second
     * call for the same alias (e.g. the Responses bridge asking before it calls) reuses the decision, so a request
     * is admitted, charged and audited once.
     */
    public List<Target> targets(RequestContext ctx, ModelRoute route) {
        List<Target> decided = ctx.selection(route.alias());
        if (decided != null) return decided;
        policy.admit(ctx).ifPresent(refusal -> { throw new ApiException(refusal); });
        List<Target> targets = policy.selector().select(ctx, route);
        ctx.selection(route.alias(), targets);
        return targets;
    }
}
