package dev.tailgate.gateway.health;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * Active health probes. qwen-local answers {@code GET /status} with per-model states (a busy, stuck, failed or
 * unavailable model is routed around); any other provider answers {@code GET /v1/models} (reachable or not).
 *
 * <p>Uses the JDK's async HTTP client (its own threads, never the event loop) with a connect and a request timeout,
 * so a hung provider costs one probe slot, never a stuck prober. A connect error, timeout or 5xx marks the provider
 * down; a 2xx marks it up; any other status (401, 404...) keeps it routable but notes the error.
 */
public final class HealthProber implements AutoCloseable {
    private final HealthRegistry registry;
    private volatile List<ProbeTarget> targets;
    private final Clock clock;
    private final Duration timeout;
    private final HttpClient http;
    /** Told every probe result (provider name, result), e.g. to mirror per-model limits. */
    private final BiConsumer<String, ProviderHealth.ProbeResult> listener;
    /** qwen-local's last {@code /status} answer per provider (QWEN_STATUS probes only), for the admin views. */
    private final Map<String, JsonNode> localStatus = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code listener} is told every probe result after it is applied to the provider's health. */
    public HealthProber(HealthRegistry registry, List<ProbeTarget> targets, Clock clock, Duration timeout,
                        BiConsumer<String, ProviderHealth.ProbeResult> listener) {
        this.registry = registry;
        this.targets = List.copyOf(targets);
        this.clock = clock;
        this.timeout = timeout;
        this.listener = listener;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Replaces the probe targets (after a config reload); the next round uses them. */
    public void targets(List<ProbeTarget> newTargets) {
        this.targets = List.copyOf(newTargets);
    }

    /**
     * One round: every target probed concurrently; completes when all results are applied. Never fails. While a round
     * is still running, a new call joins it instead of piling up more probes on a slow provider.
     */
    public synchronized CompletableFuture<Void> probeAll() {
        if (running != null && !running.isDone()) return running;
        running = CompletableFuture.allOf(targets.stream()
                .filter(t -> t.kind() != ProbeTarget.Kind.OFF)
                .map(this::probe)
                .toArray(CompletableFuture[]::new));
        return running;
    }

    private CompletableFuture<Void> running;

    /** Probes one target and applies the result to its provider's health. */
    public CompletableFuture<ProviderHealth.ProbeResult> probe(ProbeTarget target) {
        HttpRequest.Builder req = HttpRequest.newBuilder(target.probeUri()).timeout(timeout).GET()
                .header("Accept", "application/json");
        if (target.apiKey() != null && !target.apiKey().isEmpty()) req.header("Authorization", "Bearer " + target.apiKey());
        CompletableFuture<ProviderHealth.ProbeResult> result;
        try {
            result = http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray())
                    .handle((resp, err) -> err != null ? ProviderHealth.ProbeResult.down(clock.instant(), describe(err))
                            : interpret(target, resp.statusCode(), resp.body()));
        } catch (RuntimeException e) { // bad URI and the like: a config problem, shown as down
            result = CompletableFuture.completedFuture(ProviderHealth.ProbeResult.down(clock.instant(), describe(e)));
        }
        return result.thenApply(r -> {
            if (!r.reachable()) localStatus.remove(target.provider());
            registry.provider(target.provider()).ifPresent(p -> p.onProbe(r));
            listener.accept(target.provider(), r);
            return r;
        });
    }

    ProviderHealth.ProbeResult interpret(ProbeTarget target, int status, byte[] body) {
        var now = clock.instant();
        if (status >= 500) return ProviderHealth.ProbeResult.down(now, "probe got HTTP " + status);
        if (status < 200 || status >= 300) {
            return new ProviderHealth.ProbeResult(now, true, "probe got HTTP " + status, Map.of(), false);
        }
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (Json.BadJsonException e) {
            return new ProviderHealth.ProbeResult(now, true, "probe answer is not JSON", Map.of(), false);
        }
        Map<String, ModelStatus> models = new HashMap<>();
        if (target.kind() == ProbeTarget.Kind.QWEN_STATUS) {
            if (json.isObject()) localStatus.put(target.provider(), json);
            for (JsonNode m : json.path("models")) {
                String id = m.path("id").asText(null);
                if (id == null) continue;
                models.put(id, new ModelStatus(id, m.path("state").asText(null), m.path("reason").asText(null),
                        m.path("capability").asText(null), limit(m.path("max_concurrency"), 1), limit(m.path("max_queue"), 0),
                        eta(m.path("download").path("eta_seconds"))));
            }
            return new ProviderHealth.ProbeResult(now, true, null, models, json.has("models"));
        }
        for (JsonNode m : json.path("data")) {
            String id = m.path("id").asText(null);
            if (id != null) models.put(id, new ModelStatus(id, "ready", null, null, null, null, null));
        }
        // Hosted providers' lists are often incomplete (aliases, hidden models): never route around on absence.
        return new ProviderHealth.ProbeResult(now, true, null, models, false);
    }

    /**
     * The last {@code /status} a qwen-local provider answered (its models with state, queue and memory), by provider
     * name; a provider whose last probe failed is absent. What the status page shows of qwen-local.
     */
    public Map<String, JsonNode> localStatus() {
        Map<String, JsonNode> out = new java.util.TreeMap<>(localStatus);
        out.keySet().retainAll(targets.stream().map(ProbeTarget::provider).toList()); // providers removed by a reload
        return out;
    }

    /** A reported limit, or null when absent or out of range (a sane default then applies). */
    private static Integer limit(JsonNode n, int min) {
        return n.isIntegralNumber() && n.asLong() >= min && n.asLong() <= 100_000 ? n.asInt() : null;
    }

    /** A download's ETA in whole seconds; null when absent, negative or absurd (more than a day: unknown, really). */
    private static Duration eta(JsonNode n) {
        return n.isIntegralNumber() && n.asLong() >= 0 && n.asLong() <= 86_400 ? Duration.ofSeconds(n.asLong()) : null;
    }

    private static String describe(Throwable err) {
        Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (t instanceof HttpTimeoutException) return "probe timed out";
        if (t instanceof java.net.ConnectException) return "connection refused";
        return "probe failed: " + t.getClass().getSimpleName();
    }

    @Override
    public void close() {
        http.close();
    }
}
