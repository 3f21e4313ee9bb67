package dev.tailgate.gateway.policy;

/**
 * What the routing policy reads about health: one question per target. Implementations must answer quickly from
 * memory (no I/O): the policy runs on the event loop. {@code dev.tailgate.gateway.health.HealthRegistry} answers for
 * breakers and probes, {@code dev.tailgate.gateway.limit.AdmissionControl#saturationView()} for full queues; combine
 * them with {@link #and}.
 */
@FunctionalInterface
public interface HealthView {
    HealthView ALL_HEALTHY = (provider, upstreamModel) -> TargetHealth.OK;

    TargetHealth check(String provider, String upstreamModel);

    /** Usable only when both views say usable; a hard refusal wins over a soft (busy) one, then the first wins. */
    default HealthView and(HealthView other) {
        return (provider, model) -> {
            TargetHealth mine = check(provider, model);
            if (!mine.usable() && !mine.soft()) return mine;
            TargetHealth theirs = other.check(provider, model);
            if (mine.usable()) return theirs;
            return !theirs.usable() && !theirs.soft() ? theirs : mine;
        };
    }
}
