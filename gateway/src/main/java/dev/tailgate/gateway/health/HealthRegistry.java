package dev.tailgate.gateway.health;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The providers' health, by name: the {@link HealthView} the routing policy reads and the data behind
 * {@code /status}'s provider list. Built once from the config's providers (rebuilt on reload).
 */
public final class HealthRegistry implements HealthView {
    private final Map<String, ProviderHealth> providers = new java.util.concurrent.ConcurrentHashMap<>();
    private final BreakerSettings settings;
    private final Clock clock;

    public HealthRegistry(Map<String, Boolean> localFlagByProvider, BreakerSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        sync(localFlagByProvider);
    }

    /**
     * After a config reload: adds new providers, drops removed ones, and keeps the breaker and probe state of the
     * others (a provider whose {@code local} flag changed starts fresh, so nothing learned under the old flag lingers).
     */
    public void sync(Map<String, Boolean> localFlagByProvider) {
        providers.keySet().retainAll(localFlagByProvider.keySet());
        localFlagByProvider.forEach((name, local) -> providers.compute(name, (n, old) ->
                old != null && old.local() == local ? old : new ProviderHealth(n, local, settings, clock)));
    }

    public Optional<ProviderHealth> provider(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    public Collection<ProviderHealth> all() {
        return providers.values().stream().sorted(java.util.Comparator.comparing(ProviderHealth::name)).toList();
    }

    @Override
    public TargetHealth check(String provider, String upstreamModel) {
        ProviderHealth p = providers.get(provider);
        return p == null ? TargetHealth.unusable("unknown provider '" + provider + "'") : p.check(upstreamModel);
    }

    /** One row of /status's {@code providers}; in_flight and queued come from the limiter. */
    public record ProviderSnapshot(String name, boolean local, HealthState state, BreakerState breaker,
                                   String lastError, List<ModelStatus> models) {}

    public List<ProviderSnapshot> snapshot() {
        return all().stream()
                .map(p -> new ProviderSnapshot(p.name(), p.local(), p.state(), p.breaker().state(), p.lastError(),
                        p.lastProbe().map(ProviderHealth.ProbeResult::modelList).orElse(List.of())))
                .toList();
    }
}
