package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.limit.ProviderLimits;
import dev.tailgate.gateway.limit.Timers;
import java.time.Clock;
import java.time.Instant;

/**
 * Live state of one provider across config reloads: its limiter and what /status shows. {@code lastError} holds
 * messages the gateway wrote itself (never an upstream body, never a key).
 */
public final class ProviderState {
    private volatile ProviderConfig config;
    private volatile ProviderLimits limits;
    private final Clock clock;
    private final Timers timers;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile int consecutiveFailures;

    public ProviderState(ProviderConfig config, Clock clock, Timers timers) {
        this.config = config;
        this.clock = clock;
        this.timers = timers;
        this.limits = newLimits(config);
    }

    /** Local providers are limited per upstream model (see {@link ProviderLimits}). */
    private ProviderLimits newLimits(ProviderConfig c) {
        return new ProviderLimits(c.name(), c.local(), c.maxConcurrency(), c.maxQueue(), c.queueTimeout(), timers);
    }

    public ProviderConfig config() { return config; }
    public ProviderLimits limits() { return limits; }
    public String lastError() { return lastError; }
    public Instant lastErrorAt() { return lastErrorAt; }

    void reconfigure(ProviderConfig c) {
        boolean kindChanged = c.local() != config.local() || !c.queueTimeout().equals(config.queueTimeout());
        this.config = c;
        // requests in flight release their permits to the limits they took them from
        if (kindChanged) limits = newLimits(c);
        else limits.reconfigure(c.maxConcurrency(), c.maxQueue());
    }

    public void recordSuccess() {
        consecutiveFailures = 0;
    }

    public void recordFailure(String message) {
        lastError = message;
        lastErrorAt = clock.instant();
        consecutiveFailures++;
    }

    /** healthy | degraded (recent failures) | down (unusable, or 3+ failures in a row). */
    public String state() {
        if (config.keyProblem() != null) return "down";
        int f = consecutiveFailures;
        if (f >= 3) return "down";
        if (f > 0) return "degraded";
        return "healthy";
    }
}
