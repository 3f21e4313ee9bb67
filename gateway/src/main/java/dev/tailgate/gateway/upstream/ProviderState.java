package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.limit.ProviderLimiter;
import java.time.Clock;
import java.time.Instant;

/**
 * Live state of one provider across config reloads: its limiter and what /status shows. {@code lastError} holds
 * messages the gateway wrote itself (never an upstream body, never a key).
 */
public final class ProviderState {
    private volatile ProviderConfig config;
    private final ProviderLimiter limiter;
    private final Clock clock;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile int consecutiveFailures;

    public ProviderState(ProviderConfig config, Clock clock, ProviderLimiter limiter) {
        this.config = config;
        this.clock = clock;
        this.limiter = limiter;
    }

    public ProviderConfig config() { return config; }
    public ProviderLimiter limiter() { return limiter; }
    public String lastError() { return lastError; }
    public Instant lastErrorAt() { return lastErrorAt; }

    void reconfigure(ProviderConfig c) {
        this.config = c;
        limiter.reconfigure(c.maxConcurrency(), c.maxQueue());
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
