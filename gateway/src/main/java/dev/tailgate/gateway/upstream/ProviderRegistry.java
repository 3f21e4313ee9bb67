package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ProviderConfig;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Provider states by name; {@link #apply} keeps state (in-flight counts, last errors) for providers a reload keeps. */
public final class ProviderRegistry {
    private final Clock clock;
    private final java.util.function.Function<ProviderConfig, ProviderLimiter> limiters;
    private volatile Map<String, ProviderState> states = Map.of();

    public ProviderRegistry(Clock clock, java.util.function.Function<ProviderConfig, ProviderLimiter> limiters) {
        this.clock = clock;
        this.limiters = limiters;
    }

    public synchronized void apply(GatewayConfig config) {
        Map<String, ProviderState> next = new LinkedHashMap<>();
        for (ProviderConfig p : config.providers().values()) {
            ProviderState s = states.get(p.name());
            if (s == null) s = new ProviderState(p, clock, limiters.apply(p));
            else s.reconfigure(p);
            next.put(p.name(), s);
        }
        states = next;
    }

    public ProviderState get(String name) {
        return states.get(name);
    }

    public Collection<ProviderState> all() {
        return states.values();
    }
}
