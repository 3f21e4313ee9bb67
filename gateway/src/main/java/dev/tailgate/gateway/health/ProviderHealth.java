package dev.tailgate.gateway.health;

import dev.tailgate.gateway.policy.TargetHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the gateway knows about one provider's health: the passive breaker (real requests) and the last active
 * probe (reachability, per-model states). Thread-safe; every read is from memory.
 */
public final class ProviderHealth {
    private static final int MAX_ERROR_CHARS = 200;

    private final String name;
    private final boolean local;
    private final Clock clock;
    private final CircuitBreaker breaker;

    /** A timeout or 5xx must repeat this many times in a row before the provider counts as down (one blip is not an outage). */
    static final int PROBE_FAILURES_FOR_DOWN = 2;

    private volatile ProbeResult lastProbe;
    private volatile ProbeResult lastGoodProbe;
    private volatile int probeFailuresInARow;
    private volatile String lastError;

    public ProviderHealth(String name, boolean local, BreakerSettings settings, Clock clock) {
        this.name = name;
        this.local = local;
        this.clock = clock;
        this.breaker = new CircuitBreaker(settings, clock);
    }

    public String name() {
        return name;
    }

    public boolean local() {
        return local;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Starts a request (see {@link CircuitBreaker#begin()}): empty means skip this provider now. */
    public Optional<CircuitBreaker.Attempt> begin() {
        return breaker.begin();
    }

    /**
     * Records an error message for /status. Callers pass a message they composed (status code, "connect timeout"),
     * never an upstream body or header, so no key can leak; it is cut to 200 characters anyway.
     */
    public void noteError(String message) {
        if (message == null) return;
        lastError = message.length() > MAX_ERROR_CHARS ? message.substring(0, MAX_ERROR_CHARS) : message;
    }

    public synchronized void onProbe(ProbeResult result) {
        lastProbe = result;
        if (result.reachable()) {
            lastGoodProbe = result;
            probeFailuresInARow = 0;
        } else {
            probeFailuresInARow++;
        }
        if (!result.reachable() || result.error() != null) noteError(result.error());
    }

    /**
     * Down when the last probe could not connect at all (nothing listens: definitive), or when probes failed
     * (timeout, 5xx) {@value #PROBE_FAILURES_FOR_DOWN} times in a row.
     */
    private boolean probedDown() {
        ProbeResult p = lastProbe;
        if (p == null || p.reachable()) return false;
        return "connection refused".equals(p.error()) || probeFailuresInARow >= PROBE_FAILURES_FOR_DOWN;
    }

    public Optional<ProbeResult> lastProbe() {
        return Optional.ofNullable(lastProbe);
    }

    public String lastError() {
        return lastError;
    }

    public ProviderState state() {
        BreakerState b = breaker.state();
        if (b != BreakerState.CLOSED) return ProviderState.OPEN;
        if (probedDown()) return ProviderState.DOWN;
        ProbeResult p = lastProbe;
        if (p != null && !p.reachable()) return ProviderState.DEGRADED; // one failed probe: not down yet
        if (breaker.recentFailures() > 0) return ProviderState.DEGRADED;
        if (p != null && (p.error() != null || p.models().values().stream().anyMatch(m -> !m.routable()))) {
            return ProviderState.DEGRADED;
        }
        return ProviderState.HEALTHY;
    }

    /** The policy's question: may a new request for {@code upstreamModel} go here now? */
    public TargetHealth check(String upstreamModel) {
        if (!breaker.wouldAdmit()) {
            if (breaker.state() == BreakerState.OPEN) {
                Duration left = Duration.between(clock.instant(), breaker.openUntil());
                return TargetHealth.unusable("circuit open for another " + Math.max(1, (left.toMillis() + 999) / 1000) + "s");
            }
            return TargetHealth.unusable("circuit half-open, trial request in flight");
        }
        if (probedDown()) {
            ProbeResult down = lastProbe;
            return TargetHealth.unusable("provider down: " + (down.error() == null ? "probe failed" : down.error()));
        }
        // Per-model states come from the last probe that got an answer.
        ProbeResult p = lastGoodProbe;
        if (p == null) return TargetHealth.OK; // never reached by a probe: trust the breaker alone
        if (p.modelListAuthoritative()) {
            ModelStatus m = p.models().get(upstreamModel);
            if (m == null) return TargetHealth.unusable("model '" + upstreamModel + "' is not served by provider '" + name + "'");
            if (!m.routable()) {
                String why = "model " + m.state() + (m.reason() == null ? "" : ": " + m.reason());
                return m.busy() ? TargetHealth.busy(why) : TargetHealth.unusable(why);
            }
        }
        return TargetHealth.OK;
    }

    /** A probe's findings. {@code modelListAuthoritative}: the list is complete (qwen-local), so a missing model is absent. */
    public record ProbeResult(Instant at, boolean reachable, String error, Map<String, ModelStatus> models,
                              boolean modelListAuthoritative) {
        public ProbeResult {
            models = Map.copyOf(models);
        }

        public static ProbeResult down(Instant at, String error) {
            return new ProbeResult(at, false, error, Map.of(), false);
        }

        public List<ModelStatus> modelList() {
            return models.values().stream().sorted(java.util.Comparator.comparing(ModelStatus::id)).toList();
        }
    }
}
