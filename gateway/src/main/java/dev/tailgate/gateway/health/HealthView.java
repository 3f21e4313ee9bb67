package dev.tailgate.gateway.health;

/**
 * What the routing policy reads about health: one question per target. Implementations must answer quickly from
 * memory (no I/O): the policy runs on the event loop. {@link HealthRegistry} answers for breakers, upstream pauses and
 * probes; tests combine views with {@link #and}. Lives here, not in {@code policy}, so that {@code policy} depends on
 * {@code health} and never the other way round.
 */
@FunctionalInterface
public interface HealthView {
    HealthView ALL_HEALTHY = (provider, upstreamModel) -> TargetHealth.OK;

    TargetHealth check(String provider, String upstreamModel);
}
