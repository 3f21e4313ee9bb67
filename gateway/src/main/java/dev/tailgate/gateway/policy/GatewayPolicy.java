package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.health.BreakerSettings;
import dev.tailgate.gateway.health.HealthProber;
import dev.tailgate.gateway.health.HealthRegistry;
import dev.tailgate.gateway.health.ProbeTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import io.vertx.core.http.HttpMethod;

/**
 * Plugs the policy boundary into a {@link GatewayServer} through its selector extension point, without touching the
 * request path: {@code GatewayServer.start(GatewayPolicy.install(options, settings))}.
 *
 * <p>What this wires today: the routing rules ({@link PolicyTargetSelector}), the audit log (and
 * {@code GET /admin/policy}, which needs a client key), and active health probes
 * (qwen-local {@code /status}, {@code /v1/models} for others) run on a Vert.x periodic timer, so they stop with the
 * gateway. Providers and their {@code local} flags are re-read from the live config on every probe round, so reloads
 * apply. Not wired here (needs hooks in the dispatcher): breaker feedback from real requests, the richer limiter,
 * client rate limits/budgets and ledger rows — see docs/policy.md, "Wiring".
 */
public final class GatewayPolicy {
    /** What the gateway runs with: the health registry (for /status) and the audit log (for an admin endpoint). */
    public record Parts(HealthRegistry health, HealthProber prober, AuditLog audit) {}

    private GatewayPolicy() {}

    /**
     * @param auditLog  JSON-lines file for decisions, or null to keep them in memory only
     * @param probeEvery how often providers are probed; null turns active probes off
     * @param onStart   receives the parts once the gateway built them (e.g. to expose them in /status); may be null
     */
    public static GatewayServer.Options install(GatewayServer.Options options, Path auditLog, int auditRing,
                                                Duration probeEvery, Duration probeTimeout,
                                                java.util.function.Consumer<Parts> onStart) {
        Clock clock = options.clock();
        AtomicReference<Parts> built = new AtomicReference<>();
        return options.selector(gateway -> {
            GatewayConfig config = gateway.config();
            HealthRegistry health = new HealthRegistry(localFlags(config), BreakerSettings.DEFAULTS, clock);
            HealthProber prober = new HealthProber(health, probeTargets(config), clock, probeTimeout);
            AuditLog audit;
            try {
                audit = new AuditLog(auditLog, auditRing, clock);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open audit log " + auditLog + ": " + e.getMessage(), e);
            }
            if (probeEvery != null) {
                schedule(gateway, health, prober, probeEvery);
            }
            Parts parts = new Parts(health, prober, audit);
            built.set(parts);
            if (onStart != null) onStart.accept(parts);
            return new PolicyTargetSelector(health, audit);
        }).extension((gateway, routes) -> routes.raw(HttpMethod.GET, ADMIN_PATH, ex -> {
            Parts parts = built.get();
            if (parts == null) {
                ex.fail(dev.tailgate.wire.ApiError.unavailable("policy is not started", Duration.ofSeconds(1)));
                return;
            }
            ex.json(200, adminView(parts, gateway, 100));
        }));
    }

    /** {@code GET /admin/policy} (needs a client key): provider health as the policy sees it, and the last decisions. */
    public static final String ADMIN_PATH = "/admin/policy";

    static ObjectNode adminView(Parts parts, Gateway gateway, int decisions) {
        ObjectNode o = Json.object();
        o.put("status", PolicyStatus.overall(parts.health()));
        ArrayNode providers = o.putArray("providers");
        for (HealthRegistry.ProviderSnapshot p : parts.health().snapshot()) {
            ObjectNode n = providers.addObject();
            n.put("name", p.name());
            n.put("local", p.local());
            n.put("state", p.state().wireName());
            n.put("breaker", p.breaker().name().toLowerCase(java.util.Locale.ROOT));
            n.put("last_error", p.lastError());
            var ps = gateway.providers().get(p.name());
            if (ps != null) {
                n.put("in_flight", ps.limiter().inFlight());
                n.put("queued", ps.limiter().queued());
            }
            ArrayNode models = n.putArray("models");
            p.models().forEach(m -> models.addObject().put("id", m.id()).put("state", m.state()).put("reason", m.reason()));
        }
        o.set("decisions", PolicyStatus.audit(parts.audit(), decisions));
        return o;
    }

    /**
     * A limiter factory for {@code Options.limiters(...)}: the policy's {@link dev.tailgate.gateway.limit.ProviderLimiter}
     * (FIFO, bounded queue, waiters leave the queue after {@code queueTimeout} with 429 queue_full + Retry-After).
     * Queue timers run on one shared daemon thread; results are delivered on the waiting request's own context.
     */
    public static java.util.function.Function<ProviderConfig, dev.tailgate.gateway.upstream.ProviderLimiter> limiters(Duration queueTimeout) {
        return p -> new dev.tailgate.gateway.limit.VertxProviderLimiter(new dev.tailgate.gateway.limit.ProviderLimiter(
                p.name(), p.maxConcurrency(), p.maxQueue(), queueTimeout, dev.tailgate.gateway.limit.Timers.of(QueueTimers.SCHEDULER)));
    }

    /** Lazily created, daemon: one thread for every queue timeout of every gateway in this JVM. */
    private static final class QueueTimers {
        static final java.util.concurrent.ScheduledExecutorService SCHEDULER =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "tailgate-queue-timeouts");
                    t.setDaemon(true);
                    return t;
                });
    }

    private static void schedule(Gateway gateway, HealthRegistry health, HealthProber prober, Duration every) {
        Runnable round = () -> {
            GatewayConfig now = gateway.config();
            health.sync(localFlags(now));
            prober.targets(probeTargets(now));
            prober.probeAll(); // async on the JDK client's threads; never blocks the event loop
        };
        round.run();
        gateway.vertx().setPeriodic(Math.max(10, every.toMillis()), id -> round.run());
    }

    static Map<String, Boolean> localFlags(GatewayConfig config) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        config.providers().forEach((name, p) -> m.put(name, p.local()));
        return m;
    }

    /** qwen-status for local providers, models for the rest; providers whose key failed to resolve are not probed. */
    static List<ProbeTarget> probeTargets(GatewayConfig config) {
        List<ProbeTarget> out = new ArrayList<>();
        for (ProviderConfig p : config.providers().values()) {
            if (p.keyProblem() != null || p.baseUrl() == null) continue;
            out.add(new ProbeTarget(p.name(), p.baseUrl(), p.apiKey() == null ? null : p.apiKey().reveal(),
                    ProbeTarget.Kind.parse(null, p.local())));
        }
        return out;
    }
}
