package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.health.HealthProber;
import dev.tailgate.gateway.health.HealthRegistry;
import dev.tailgate.gateway.health.ProbeTarget;
import dev.tailgate.gateway.ledger.Ledger;
import dev.tailgate.gateway.limit.AdmissionControl;
import dev.tailgate.gateway.limit.ClientAdmission;
import dev.tailgate.gateway.limit.ClientRateLimiter;
import dev.tailgate.gateway.limit.SpendBudget;
import dev.tailgate.gateway.limit.Timers;
import dev.tailgate.wire.ApiError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * Everything of the policy boundary, built from {@link PolicySettings}, so the gateway wires one object:
 * {@link #admitClient} → {@link #decide} → {@link #attempts} → {@link #settle} + {@link #ledger()}.
 * On config reload build a new one and close the old (breaker and rate-limit state start fresh; budgets are re-seeded
 * from the ledger).
 */
public final class PolicyBoundary implements AutoCloseable {
    private final PolicySettings settings;
    private final HealthRegistry health;
    private final AdmissionControl admission;
    private final ClientAdmission clients;
    private final AuditLog audit;
    private final Ledger ledger;
    private final HealthProber prober;
    private final HealthView view;

    /** Provider connection facts the config loader resolved (secrets included; they go to the prober only). */
    public record ProviderEndpoint(URI baseUrl, String apiKey) {
        @Override
        public String toString() {
            return "ProviderEndpoint[" + baseUrl + "]";
        }
    }

    /**
     * @param endpoints base URL and resolved key per provider name (for probes)
     * @param scheduler runs probes; null = no active probes (tests). The caller owns and shuts it down.
     */
    public static PolicyBoundary start(PolicySettings settings, Map<String, ProviderEndpoint> endpoints, Clock clock,
                                       LongSupplier nanoTicker, Timers timers, ScheduledExecutorService scheduler) {
        try {
            return new PolicyBoundary(settings, endpoints, clock, nanoTicker, timers, scheduler);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open audit_log " + settings.auditLog() + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open ledger " + settings.ledger() + ": " + e.getMessage(), e);
        }
    }

    private PolicyBoundary(PolicySettings settings, Map<String, ProviderEndpoint> endpoints, Clock clock,
                           LongSupplier nanoTicker, Timers timers, ScheduledExecutorService scheduler)
            throws IOException, SQLException {
        this.settings = settings;
        this.health = new HealthRegistry(settings.providerLocalFlags(), settings.breaker(), clock);
        this.admission = new AdmissionControl(settings.providerLimits(), timers);
        this.view = health.and(admission.saturationView());
        this.audit = new AuditLog(settings.auditLog(), settings.auditRing(), settings.auditMaxBytes(), clock);
        this.ledger = settings.ledger() == null ? null : Ledger.open(settings.ledger(), settings.ledgerQueue());
        SpendBudget budget = new SpendBudget(settings.clientLimits(), clock);
        if (ledger != null) {
            budget.seed((client, from, to) -> {
                try {
                    return ledger.spentUsd(client, from, to);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot read past spend from the ledger: " + e.getMessage(), e);
                }
            });
        }
        this.clients = new ClientAdmission(budget, new ClientRateLimiter(settings.clientLimits(), nanoTicker), settings.pricing());
        List<ProbeTarget> targets = new ArrayList<>();
        settings.providers().forEach((name, p) -> {
            ProviderEndpoint ep = endpoints.get(name);
            if (ep != null && ep.baseUrl() != null) targets.add(new ProbeTarget(name, ep.baseUrl(), ep.apiKey(), p.healthCheck()));
        });
        this.prober = new HealthProber(health, targets, clock, settings.probeTimeout());
        if (scheduler != null) prober.start(scheduler, settings.probeInterval());
    }

    public PolicySettings settings() {
        return settings;
    }

    public HealthRegistry health() {
        return health;
    }

    public AdmissionControl admission() {
        return admission;
    }

    public AuditLog audit() {
        return audit;
    }

    public HealthProber prober() {
        return prober;
    }

    public Optional<Ledger> ledger() {
        return Optional.ofNullable(ledger);
    }

    /** Budget (402) then rate (429) for an authenticated client; empty = go on. */
    public Optional<ApiError> admitClient(String client, long estimatedPromptTokens) {
        return clients.admit(client, estimatedPromptTokens);
    }

    /** Whether the named client has {@code private: true}. */
    public boolean clientIsPrivate(String client) {
        PolicySettings.ClientPolicy c = settings.clients().get(client);
        return c != null && c.privateClient();
    }

    /** Plans and audits. An unknown model gives a refused plan carrying 404 model_not_found (also audited). */
    public RoutePlan decide(RouteRequest request) {
        ModelRoute route = settings.models().get(request.modelAlias());
        RoutePlan plan = route == null
                ? new RoutePlan(request, request.modelAlias(), request.clientPrivate() || request.headerPrivate(),
                        List.of(), List.of(), ApiError.modelNotFound(request.modelAlias()))
                : RoutingPolicy.plan(request, route, view);
        audit.record(plan);
        return plan;
    }

    public RouteAttempts attempts(RoutePlan plan) {
        return new RouteAttempts(plan, health, admission);
    }

    /** After the request: rate-limit settlement and spend; returns the cost in USD for the ledger row. */
    public double settle(String client, RouteTarget target, String alias, long estimatedPromptTokens,
                         long promptTokens, long completionTokens) {
        return clients.settle(client, target.provider(), target.upstreamModel(), alias, estimatedPromptTokens,
                promptTokens, completionTokens);
    }

    @Override
    public void close() {
        prober.close();
        if (ledger != null) ledger.close();
        try {
            audit.close();
        } catch (IOException ignored) {
            // closing an append-only file: nothing left to save
        }
    }
}
