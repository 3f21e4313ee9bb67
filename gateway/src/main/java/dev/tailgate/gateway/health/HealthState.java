package dev.tailgate.gateway.health;

import java.util.Locale;

/** A provider's state as {@code GET /status} shows it. */
public enum HealthState {
    /** Answering, no recent failures. */
    HEALTHY,
    /** Answering, but with recent failures or some models not ready. Still routed to. */
    DEGRADED,
    /** The last probe could not reach it. Routed around until a probe succeeds. */
    DOWN,
    /** The circuit breaker is open (or half-open, waiting for its trial). Routed around except for the one trial. */
    OPEN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
