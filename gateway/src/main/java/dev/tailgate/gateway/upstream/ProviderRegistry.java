package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.limit.Timers;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Provider states by name; {@link #apply} keeps state (in-flight counts, last errors) for providers a reload keeps. */
public final class ProviderRegistry {
    private final Clock clock;
    private final Timers timers;
    private volatile Map<String, ProviderState> states = Map.of();
    private volatile SecretScrubber scrubber = SecretScrubber.of(java.util.List.of());

    /** {@code timers}: the limiters' queue-wait timers (Vert.x timers in the gateway). */
    public ProviderRegistry(Clock clock, Timers timers) {
        this.clock = clock;
        this.timers = timers;
    }

    public synchronized void apply(GatewayConfig config) {
        Map<String, ProviderState> next = new LinkedHashMap<>();
        for (ProviderConfig p : config.providers().values()) {
            ProviderState s = states.get(p.name());
            if (s == null) {
                s = new ProviderState(p, clock, timers);
            }
            else s.reconfigure(p);
            next.put(p.name(), s);
        }
        states = next;
        scrubber = SecretScrubber.of(config);
    }

    /** Scrubs every configured provider key (and credential-shaped tokens) from upstream text. */
    public SecretScrubber scrubber() {
        return scrubber;
    }

    public ProviderState get(String name) {
        return states.get(name);
    }

    public Collection<ProviderState> all() {
        return states.values();
    }
}
