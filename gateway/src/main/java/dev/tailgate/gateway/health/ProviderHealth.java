package dev.tailgate.gateway.health;

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
    /** Upstream models paused by the upstream's own Retry-After: model → until when, and whether it was a 429. */
    private final Map<String, Pause> pauses = new java.util.concurrent.ConcurrentHashMap<>();
    private final Duration maxPause;

    private record Pause(Instant until, boolean rateLimited) {}

    public ProviderHealth(String name, boolean local, BreakerSettings settings, Clock clock) {
        this.name = name;
        this.local = local;
        this.clock = clock;
        this.breaker = new CircuitBreaker(settings, clock);
        this.maxPause = settings.maxRetryAfter();
    }

    /**
     * The upstream answered a request for {@code upstreamModel} with Retry-After: send it nothing for that model until
     * then (capped by {@code max_retry_after}). Other models of the provider are not affected: a provider rate-limits
     * per model.
     */
    public void pause(String upstreamModel, Duration after, boolean rateLimited) {
        Duration d = after.isNegative() ? Duration.ZERO : after.compareTo(maxPause) > 0 ? maxPause : after;
        Instant until = clock.instant().plus(d);
        pauses.merge(upstreamModel, new Pause(until, rateLimited), (old, now) -> old.until().isAfter(now.until()) ? old : now);
    }

    private Duration pausedFor(Pause p) {
        return p == null ? Duration.ZERO : Duration.between(clock.instant(), p.until());
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

    public HealthState state() {
        BreakerState b = breaker.state();
        if (b != BreakerState.CLOSED) return HealthState.OPEN;
        if (probedDown()) return HealthState.DOWN;
        ProbeResult p = lastProbe;
        if (p != null && !p.reachable()) return HealthState.DEGRADED; // one failed probe: not down yet
        if (breaker.recentFailures() > 0) return HealthState.DEGRADED;
        if (p != null && (p.error() != null || p.models().values().stream().anyMatch(m -> !m.routable()))) {
            return HealthState.DEGRADED;
        }
        return HealthState.HEALTHY;
    }

    /** The policy's question: may a new request for {@code upstreamModel} go here now? */
    public TargetHealth check(String upstreamModel) {
        if (!breaker.wouldAdmit()) {
            if (breaker.state() == BreakerState.OPEN) {
                Duration left = Duration.between(clock.instant(), breaker.openUntil());
                return TargetHealth.unusableFor("circuit open for another " + seconds(left) + "s", left);
            }
            return TargetHealth.unusable("circuit half-open, trial request in flight");
        }
        if (probedDown()) {
            ProbeResult down = lastProbe;
            return TargetHealth.unusable("provider down: " + (down.error() == null ? "probe failed" : down.error()));
        }
        Pause pause = pauses.get(upstreamModel);
        Duration paused = pausedFor(pause);
        if (paused.isPositive()) {
            return TargetHealth.paused("model '" + upstreamModel + "' paused by the provider's Retry-After for another "
                    + seconds(paused) + "s", paused, pause.rateLimited());
        }
        if (pause != null) pauses.remove(upstreamModel, pause);
        // Per-model states come from the last probe that got an answer.
        ProbeResult p = lastGoodProbe;
        if (p == null) return TargetHealth.OK; // never reached by a probe: trust the breaker alone
        if (p.modelListAuthoritative()) {
            ModelStatus m = p.models().get(upstreamModel);
            // qwen-local knows its models better than the last probe did (a model may have been pulled since)
            if (m == null) return TargetHealth.askProvider("model '" + upstreamModel + "' is not served by provider '" + name + "'");
            if (!m.routable()) {
                String why = "model " + m.state() + (m.reason() == null ? "" : ": " + m.reason());
                if (m.busy()) return TargetHealth.busy(why);
                if (m.downloading() && m.downloadEta() != null) {
                    // the refusal's Retry-After is qwen-local's estimate, less the time since it was made
                    Duration left = m.downloadEta().minus(Duration.between(p.at(), clock.instant()));
                    return TargetHealth.unusableFor(why, left.isNegative() ? Duration.ZERO : left);
                }
                return m.needsOperator() ? TargetHealth.askProvider(why) : TargetHealth.unusable(why);
            }
        }
        return TargetHealth.OK;
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
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
