package dev.tailgate.gateway.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.health.HealthProber;
import dev.tailgate.gateway.health.HealthRegistry;
import dev.tailgate.gateway.health.ProbeTarget;
import dev.tailgate.gateway.health.ProviderHealth;
import dev.tailgate.gateway.ledger.Ledger;
import dev.tailgate.gateway.ledger.UsageRecord;
import dev.tailgate.gateway.limit.ClientAdmission;
import dev.tailgate.gateway.limit.ClientRateLimiter;
import dev.tailgate.gateway.limit.SpendBudget;
import dev.tailgate.gateway.upstream.AttemptFeedback;
import dev.tailgate.gateway.upstream.ProviderState;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy boundary as the running gateway uses it, built from the live config (its policy keys read by
 * {@link PolicySettings}): routing ({@link #selector()}, audited), passive breakers fed by the dispatcher
 * ({@link AttemptFeedback}), active probes, client admission ({@link #admit}) and one usage-ledger row per finished
 * request ({@link #finished}). {@link #reload} follows config reloads; the audit log and ledger files are fixed at start.
 *
 * <p>Defaults: {@code audit_log: <config dir>/audit.jsonl}, {@code ledger: <config dir>/usage.db}; either is turned
 * off with the value {@code off}.
 */
public final class PolicyRuntime implements AttemptFeedback, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyRuntime.class);
    public static final String DEFAULT_AUDIT_LOG = "audit.jsonl";
    public static final String DEFAULT_LEDGER = "usage.db";

    private final io.vertx.core.Vertx vertx;
    private final dev.tailgate.gateway.upstream.ProviderRegistry providers;
    private final Clock clock;
    private final LongSupplier ticker;
    private final HealthRegistry health;
    private final HealthProber prober;
    private final AuditLog audit;
    private final Ledger ledger;
    private final PolicyTargetSelector selector;
    private volatile PolicySettings settings;
    private volatile ClientAdmission clients;
    private volatile long periodicId = -1;

    private PolicyRuntime(io.vertx.core.Vertx vertx, GatewayConfig config, dev.tailgate.gateway.upstream.ProviderRegistry providers,
                          PolicySettings settings, Clock clock, LongSupplier ticker, AuditLog audit, Ledger ledger) {
        this.vertx = vertx;
        this.providers = providers;
        this.settings = settings;
        this.clock = clock;
        this.ticker = ticker;
        this.audit = audit;
        this.ledger = ledger;
        this.health = new HealthRegistry(settings.providerLocalFlags(), settings.breaker(), clock);
        this.prober = new HealthProber(health, probeTargets(config, settings), clock, settings.probeTimeout(), this::mirrorLimits);
        this.clients = clientAdmission(settings);
        this.selector = new PolicyTargetSelector(health, audit);
        // Saturation is not a routing verdict here: the dispatcher's limiter answers it (429 queue_full + Retry-After,
        // or the next target when fallback is on), so a full queue is never reported as "unavailable".
    }

    /**
     * Builds the runtime for {@code config} (its policy keys already read: {@link #settings}) and, when {@code probes},
     * starts active health probes on a Vert.x periodic timer. Throws {@link UncheckedIOException}/{@link IllegalStateException}
     * when the audit log or the ledger cannot be opened.
     */
    public static PolicyRuntime start(io.vertx.core.Vertx vertx, GatewayConfig config, PolicySettings settings,
                                      dev.tailgate.gateway.upstream.ProviderRegistry providers, Clock clock, LongSupplier ticker,
                                      boolean probes) {
        Path auditFile = settings.auditLog();
        Path ledgerFile = settings.ledger();
        AuditLog audit;
        try {
            audit = new AuditLog(auditFile, settings.auditRing(), settings.auditMaxBytes(), clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open audit_log " + auditFile + ": " + e.getMessage(), e);
        }
        Ledger ledger = null;
        if (ledgerFile != null) {
            try {
                ledger = Ledger.open(ledgerFile, settings.ledgerQueue());
            } catch (SQLException e) {
                closeQuietly(audit);
                throw new IllegalStateException("cannot open ledger " + ledgerFile + ": " + e.getMessage(), e);
            }
        }
        PolicyRuntime r = new PolicyRuntime(vertx, config, providers, settings, clock, ticker, audit, ledger);
        if (probes) r.startProbes(settings.probeInterval());
        return r;
    }

    /**
     * The policy keys of the main config plus the clients file's per-client limits ({@code rpm}, budgets...), from the
     * documents the config loader parsed (no file is read again). Throws {@link dev.tailgate.wire.config.ConfigException}
     * naming file, line and key.
     */
    public static PolicySettings settings(GatewayConfig config) {
        return PolicySettings.from(config);
    }

    private ClientAdmission clientAdmission(PolicySettings s) {
        SpendBudget budget = new SpendBudget(s.clientLimits(), clock);
        if (ledger != null) {
            budget.seed((client, from, to) -> {
                try {
                    return ledger.spentUsd(client, from, to);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot read past spend from the ledger: " + e.getMessage(), e);
                }
            });
        }
        return new ClientAdmission(budget, new ClientRateLimiter(s.clientLimits(), ticker), s.pricing());
    }

    private void startProbes(Duration every) {
        prober.probeAll(); // async on the JDK client's threads; never blocks the event loop
        periodicId = vertx.setPeriodic(Math.max(10, every.toMillis()), id -> prober.probeAll());
    }

    /** A local provider's per-model limiters follow the limits its /status reports for each model. */
    private void mirrorLimits(String provider, dev.tailgate.gateway.health.ProviderHealth.ProbeResult r) {
        ProviderState ps = providers.get(provider);
        if (ps == null || !r.reachable()) return;
        java.util.Map<String, dev.tailgate.gateway.limit.ProviderLimits.UpstreamLimits> limits = new java.util.HashMap<>();
        r.models().forEach((id, m) -> {
            if (m.maxConcurrency() != null && m.maxQueue() != null) {
                limits.put(id, new dev.tailgate.gateway.limit.ProviderLimits.UpstreamLimits(m.maxConcurrency(), m.maxQueue()));
            }
        });
        ps.limits().mirror(limits);
    }

    /** After a config reload ({@code next}: its policy keys): new providers/flags for health and probes, new client limits and prices. */
    public void reload(GatewayConfig config, PolicySettings next) {
        health.sync(next.providerLocalFlags());
        prober.targets(probeTargets(config, next));
        boolean clientsChanged = !next.clientLimits().equals(settings.clientLimits()) || !next.pricing().equals(settings.pricing());
        settings = next;
        if (clientsChanged) clients = clientAdmission(next); // rate buckets start fresh; budgets re-seeded from the ledger
    }

    static List<ProbeTarget> probeTargets(GatewayConfig config, PolicySettings s) {
        List<ProbeTarget> out = new ArrayList<>();
        for (ProviderConfig p : config.providers().values()) {
            if (p.keyProblem() != null || p.baseUrl() == null) continue;
            PolicySettings.ProviderPolicy pp = s.providers().get(p.name());
            ProbeTarget.Kind kind = pp == null ? ProbeTarget.Kind.parse(null, p.local()) : pp.healthCheck();
            if (kind == ProbeTarget.Kind.OFF) continue;
            out.add(new ProbeTarget(p.name(), p.baseUrl(), p.apiKey() == null ? null : p.apiKey().reveal(), kind));
        }
        return out;
    }

    public PolicyTargetSelector selector() { return selector; }
    public HealthRegistry health() { return health; }
    public HealthProber prober() { return prober; }
    public AuditLog audit() { return audit; }
    public Optional<Ledger> ledger() { return Optional.ofNullable(ledger); }
    public PolicySettings settings() { return settings; }

    // ---- breaker feedback from the dispatcher ----

    @Override
    public Optional<Trial> begin(String provider) {
        Optional<ProviderHealth> ph = health.provider(provider);
        if (ph.isEmpty()) return AttemptFeedback.NONE.begin(provider);
        return ph.get().begin().map(a -> new Trial() {
            @Override public void success() { a.success(); }
            @Override public void failure(String error) {
                ph.get().noteError(error);
                a.failure();
            }
            @Override public void pause(String upstreamModel, Duration after, boolean rateLimited) {
                ph.get().pause(upstreamModel, after, rateLimited);
            }
            @Override public void cancel() { a.cancel(); }
        });
    }

    // ---- client admission and the ledger ----

    /** Budget (402) then rate (429 + Retry-After) for the request's client, once per request. Empty = go on. */
    public Optional<ApiError> admit(RequestContext ctx) {
        if (ctx.admitted() || ctx.caller() == null) return Optional.empty();
        Optional<ApiError> refusal = clients.admit(ctx.caller().name(), ctx.estimatedPromptTokens());
        if (refusal.isEmpty()) ctx.admitted(true);
        return refusal;
    }

    /**
     * A request ended (answered, failed, or the client went away): settles rate and spend with the upstream's usage
     * and appends one ledger row. Only requests that named a model are recorded, each once. Never throws; the future
     * completes when the row is committed (or failed to be: it never fails the caller).
     */
    public java.util.concurrent.CompletableFuture<Void> finished(RequestContext ctx, int status, long latencyNanos, boolean clientGone) {
        var none = java.util.concurrent.CompletableFuture.<Void>completedFuture(null);
        if (ctx.model() == null || ctx.caller() == null) return none;
        if (!ctx.claimUsageRow()) return none; // already recorded before the response's last byte
        try {
            String client = ctx.caller().name();
            long prompt = ctx.hasUsage() ? ctx.promptTokens() : 0;
            long completion = ctx.hasUsage() ? ctx.completionTokens() : 0;
            double cost = 0;
            if (ctx.admitted()) {
                // never sent anywhere: refund the estimate, charge nothing (pricing maps refuse null names)
                boolean sent = ctx.provider() != null && ctx.upstreamModel() != null;
                cost = clients.settle(client, sent ? ctx.provider() : "", sent ? ctx.upstreamModel() : "", ctx.model(),
                        ctx.estimatedPromptTokens(), sent ? prompt : 0, sent ? completion : 0);
                ctx.costUsd(cost);
            }
            if (ledger == null) return none;
            // routing's verdict when it ran; a request refused before routing is private by its client or header
            boolean priv = ctx.privateRoute() || Privacy.isPrivate(ctx.caller().privateOnly(), false, ctx.privateHeader());
            long ttft = ctx.ttftNanos();
            String code = providers.scrubber().ledgerCode(ctx.errorCode()); // only plain identifiers go to disk
            if (clientGone && code == null) code = "client_closed";
            return ledger.append(new UsageRecord(ctx.requestId(), clock.instant(), client, ctx.model(), ctx.provider(),
                    ctx.upstreamModel(), prompt, completion, cost, latencyNanos / 1_000_000,
                    ttft < 0 ? null : ttft / 1_000_000, status, code, priv));
        } catch (RuntimeException e) {
            LOG.warn("rid={} usage not recorded: {}", ctx.requestId(), e.toString());
            return none;
        }
    }

    // ---- views for /status and /admin/policy ----

    /** The policy's view of one provider for /status: state healthy|degraded|down|open and the last error, or null. */
    public Optional<HealthRegistry.ProviderSnapshot> provider(String name) {
        return health.snapshot().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Counts of the recent routing decisions: {@code {"recent":N,"routed":R,"refused":{"code":n}}} (no names, no text). */
    public ObjectNode decisionSummary(int max) {
        ObjectNode o = Json.object();
        List<AuditEntry> recent = audit.recent(max);
        Map<String, Integer> refused = new LinkedHashMap<>();
        int routed = 0;
        for (AuditEntry e : recent) {
            if (e.refusal() == null) routed++;
            else refused.merge(e.refusal(), 1, Integer::sum);
        }
        o.put("recent", recent.size());
        o.put("routed", routed);
        ObjectNode r = o.putObject("refused");
        refused.forEach(r::put);
        if (ledger != null) o.put("ledger_dropped", ledger.dropped());
        return o;
    }

    /** {@code GET /admin/policy}: providers as the policy sees them and the last {@code decisions} decisions. */
    public ObjectNode adminView(int decisions) {
        ObjectNode o = Json.object();
        o.put("status", PolicyStatus.overall(health));
        ArrayNode providers = o.putArray("providers");
        for (HealthRegistry.ProviderSnapshot p : health.snapshot()) {
            ObjectNode n = providers.addObject();
            n.put("name", p.name());
            n.put("local", p.local());
            n.put("state", p.state().wireName());
            n.put("breaker", p.breaker().name().toLowerCase(java.util.Locale.ROOT));
            n.put("last_error", p.lastError());
            ProviderState ps = this.providers.get(p.name());
            if (ps != null) {
                n.put("in_flight", ps.limits().inFlight());
                n.put("queued", ps.limits().queued());
            }
            ArrayNode models = n.putArray("models");
            p.models().forEach(m -> models.addObject().put("id", m.id()).put("state", m.state()).put("reason", m.reason()));
        }
        o.set("decisions", PolicyStatus.audit(audit, decisions));
        return o;
    }

    @Override
    public void close() {
        if (periodicId >= 0) vertx.cancelTimer(periodicId);
        prober.close();
        if (ledger != null) ledger.close();
        closeQuietly(audit);
    }

    private static void closeQuietly(AuditLog a) {
        try {
            a.close();
        } catch (IOException ignored) {
            // closing an append-only file: nothing left to save
        }
    }
}
