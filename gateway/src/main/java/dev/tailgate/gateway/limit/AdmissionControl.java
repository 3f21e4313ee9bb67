package dev.tailgate.gateway.limit;

import dev.tailgate.gateway.policy.HealthView;
import dev.tailgate.gateway.policy.TargetHealth;
import dev.tailgate.wire.ApiError;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The per-provider limiters by provider name, and the saturation view the routing policy reads. */
public final class AdmissionControl {
    private final Map<String, ProviderLimiter> limiters = new LinkedHashMap<>();

    public AdmissionControl(Map<String, ProviderLimits> limitsByProvider, Timers timers) {
        limitsByProvider.forEach((name, l) ->
                limiters.put(name, new ProviderLimiter(name, l.maxConcurrency(), l.maxQueue(), l.queueTimeout(), timers)));
    }

    public Optional<ProviderLimiter> limiter(String provider) {
        return Optional.ofNullable(limiters.get(provider));
    }

    /** A permit for {@code provider}; an unknown provider is refused (never unlimited by accident). */
    public CompletableFuture<Permit> acquire(String provider) {
        ProviderLimiter l = limiters.get(provider);
        if (l == null) {
            return CompletableFuture.failedFuture(new AdmissionRefusedException(
                    ApiError.unavailable("Provider '" + provider + "' is not configured.", java.time.Duration.ofSeconds(5))));
        }
        return l.acquire();
    }

    /** Routes around providers whose slots and queue are all taken, so a fallback target is tried instead of a 429. */
    public HealthView saturationView() {
        return (provider, model) -> {
            ProviderLimiter l = limiters.get(provider);
            if (l == null || !l.saturated()) return TargetHealth.OK;
            return TargetHealth.unusable("saturated: " + l.inFlight() + " in flight, " + l.queued() + " queued");
        };
    }
}
