package dev.tailgate.gateway.health;

import java.time.Duration;

/**
 * When a provider's circuit opens and for how long.
 *
 * @param consecutiveFailures open after this many failures in a row
 * @param errorRate           ... or when at least this share of the calls in {@code window} failed
 * @param minCallsInWindow    ... and the window holds at least this many calls (a single failure is not a 100% rate)
 * @param window              how far back the error rate looks
 * @param coolDown            how long the circuit stays open before one trial request is let through
 * @param maxRetryAfter       cap on an upstream's Retry-After, so a bogus header cannot shut a provider out for days
 */
public record BreakerSettings(int consecutiveFailures, double errorRate, int minCallsInWindow, Duration window,
                              Duration coolDown, Duration maxRetryAfter) {

    public static final BreakerSettings DEFAULTS =
            new BreakerSettings(5, 0.5, 10, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(10));

    public BreakerSettings {
        if (consecutiveFailures < 1) throw new IllegalArgumentException("breaker consecutive_failures must be >= 1");
        if (errorRate <= 0 || errorRate > 1) throw new IllegalArgumentException("breaker error_rate must be in (0, 1]");
        if (minCallsInWindow < 1) throw new IllegalArgumentException("breaker min_calls must be >= 1");
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("breaker window must be > 0");
        if (coolDown.isNegative()) throw new IllegalArgumentException("breaker cool_down must be >= 0");
    }
}
