package dev.tailgate.gateway.limit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admission to one provider. A hosted provider has one {@link ProviderLimiter} for all its models. A local provider
 * (qwen-local, which schedules each model on its own) has one per upstream model, so that embeddings never wait
 * behind a long chat: {@code max_concurrency} applies per model until the provider reports the model's own limits
 * ({@link #mirror}), then a model may have as many requests in flight as qwen-local accepts without refusing
 * (its {@code max_concurrency + max_queue}); either way {@code max_queue} more wait in the gateway, each at most
 * {@code queue_timeout}.
 *
 * <p>Upstream model names come from the config's targets only (never from a client), so the map is bounded by the
 * config.
 */
public final class ProviderLimits {
    private final String provider;
    private final boolean perModel;
    private final Duration queueTimeout;
    private final Timers timers;
    private final ProviderLimiter shared;
    private final Map<String, ProviderLimiter> byModel = new ConcurrentHashMap<>();
    /** Upstream model → in-flight cap the provider reported; absent until the first report. */
    private final Map<String, Integer> reported = new ConcurrentHashMap<>();
    private volatile int maxConcurrency;
    private volatile int maxQueue;

    public ProviderLimits(String provider, boolean perModel, int maxConcurrency, int maxQueue, Duration queueTimeout, Timers timers) {
        this.provider = provider;
        this.perModel = perModel;
        this.maxConcurrency = maxConcurrency;
        this.maxQueue = maxQueue;
        this.queueTimeout = queueTimeout;
        this.timers = timers;
        this.shared = perModel ? null : new ProviderLimiter(provider, maxConcurrency, maxQueue, queueTimeout, timers);
    }

    public boolean perModel() {
        return perModel;
    }

    /** A permit for one request to {@code upstreamModel}; see {@link ProviderLimiter#acquire()}. */
    public CompletableFuture<Permit> acquire(String upstreamModel) {
        return limiter(upstreamModel).acquire();
    }

    /** The limiter a request to {@code upstreamModel} goes through (the shared one for a hosted provider). */
    public ProviderLimiter limiter(String upstreamModel) {
        if (!perModel) return shared;
        return byModel.computeIfAbsent(upstreamModel, m -> new ProviderLimiter(provider + "/" + m,
                reported.getOrDefault(m, maxConcurrency), maxQueue, queueTimeout, timers));
    }

    /**
     * The provider's own per-model limits (qwen-local's /status: {@code max_concurrency}, {@code max_queue}); models it
     * does not report keep the configured default. Ignored for a hosted provider.
     */
    public void mirror(Map<String, UpstreamLimits> models) {
        if (!perModel) return;
        models.forEach((model, l) -> {
            int cap = l.maxConcurrency() + l.maxQueue();
            Integer before = reported.put(model, cap);
            if (before == null || before != cap) {
                ProviderLimiter existing = byModel.get(model);
                if (existing != null) existing.reconfigure(cap, maxQueue);
            }
        });
    }

    /** New provider limits after a config reload (a model with reported limits keeps its in-flight cap). */
    public void reconfigure(int newMaxConcurrency, int newMaxQueue) {
        maxConcurrency = newMaxConcurrency;
        maxQueue = newMaxQueue;
        if (!perModel) {
            shared.reconfigure(newMaxConcurrency, newMaxQueue);
            return;
        }
        byModel.forEach((m, l) -> l.reconfigure(reported.getOrDefault(m, newMaxConcurrency), newMaxQueue));
    }

    public int inFlight() {
        return perModel ? byModel.values().stream().mapToInt(ProviderLimiter::inFlight).sum() : shared.inFlight();
    }

    public int queued() {
        return perModel ? byModel.values().stream().mapToInt(ProviderLimiter::queued).sum() : shared.queued();
    }

    /** Per upstream model (local providers): in flight, queued and the in-flight cap, for /status. */
    public Map<String, ProviderLimiter> models() {
        return Map.copyOf(byModel);
    }

    /** A model's own limits as its provider reports them. */
    public record UpstreamLimits(int maxConcurrency, int maxQueue) {}
}
