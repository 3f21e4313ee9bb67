package dev.tailgate.gateway;

import dev.tailgate.gateway.auth.Authenticator;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.limit.BodyBudget;
import dev.tailgate.gateway.limit.Timers;
import dev.tailgate.gateway.observe.Metrics;
import dev.tailgate.gateway.policy.PolicyRuntime;
import dev.tailgate.gateway.policy.PolicySettings;
import dev.tailgate.gateway.upstream.Dispatcher;
import dev.tailgate.gateway.upstream.ProviderRegistry;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The running gateway's shared parts: the current config snapshot (swapped whole on reload), the authenticator built
 * from it, provider states and limiters, the policy (routing, health, breakers, admission, audit, ledger), the
 * dispatcher and metrics. {@link #assemble} builds them once, in dependency order; nothing here is replaced afterwards
 * except the config snapshot. Routes and the internal APIs (the chat caller, built on top of this) reach everything
 * through here.
 */
public final class Gateway implements AutoCloseable {
    /** A config and what was derived from it; replaced atomically so a request sees one consistent version. */
    public record Snapshot(GatewayConfig config, Authenticator authenticator, long loadedEpochSeconds) {}

    private final Vertx vertx;
    private final Clock clock;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
    private final ProviderRegistry providers;
    private final Dispatcher dispatcher;
    private final Metrics metrics;
    private final PolicyRuntime policy;
    private final BodyBudget bodyBudget = new BodyBudget(() -> config().bodyBudget());

    private Gateway(Vertx vertx, Clock clock, ProviderRegistry providers, PolicyRuntime policy, Dispatcher dispatcher,
                    Metrics metrics, GatewayConfig config) {
        this.vertx = vertx;
        this.clock = clock;
        this.providers = providers;
        this.policy = policy;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        snapshot.set(new Snapshot(config, new Authenticator(config.clients()), clock.instant().getEpochSecond()));
    }

    /**
     * Builds the parts for {@code config}, each once and in dependency order: providers (limiters), the policy
     * (settings read from the config, health, probes, audit, ledger), the dispatcher (fed back by the policy), metrics.
     * {@code probes}: start the active health probes. Throws {@link dev.tailgate.wire.config.ConfigException} (file,
     * line, key) for an invalid policy key, {@link IllegalStateException}/{@link java.io.UncheckedIOException} when
     * the audit log or ledger cannot be opened.
     */
    public static Gateway assemble(Vertx vertx, HttpClient client, GatewayConfig config, Clock clock, LongSupplier ticker,
                                   boolean probes) {
        PolicySettings settings = PolicyRuntime.settings(config);
        ProviderRegistry providers = new ProviderRegistry(clock, Timers.of(vertx));
        providers.apply(config);
        PolicyRuntime policy = PolicyRuntime.start(vertx, config, settings, providers, clock, ticker, probes);
        Dispatcher dispatcher = new Dispatcher(vertx, client, providers, policy);
        return new Gateway(vertx, clock, providers, policy, dispatcher, new Metrics(providers, policy.health()), config);
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
    public BodyBudget bodyBudget() { return bodyBudget; }

    /**
     * Applies a reloaded config: its policy keys are read first, so an invalid one refuses the whole reload (throws
     * {@link dev.tailgate.wire.config.ConfigException}) before any part changes; then providers, the snapshot (new
     * routes and keys for the next request) and the policy.
     */
    void reload(GatewayConfig config) {
        PolicySettings settings = PolicyRuntime.settings(config);
        providers.apply(config);
        snapshot.set(new Snapshot(config, new Authenticator(config.clients()), clock.instant().getEpochSecond()));
        policy.reload(config, settings);
    }

    /** Stops the probes and closes the audit log and the ledger (after the server: the last requests' rows are queued). */
    @Override
    public void close() {
        policy.close();
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
