package dev.tailgate.gateway.limit;

import java.time.Duration;

/** A provider's admission settings: config keys {@code max_concurrency}, {@code max_queue}, {@code queue_timeout}. */
public record ProviderLimits(int maxConcurrency, int maxQueue, Duration queueTimeout) {
    public static final ProviderLimits DEFAULTS = new ProviderLimits(4, 16, Duration.ofSeconds(30));
}
