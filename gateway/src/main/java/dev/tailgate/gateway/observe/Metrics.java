package dev.tailgate.gateway.observe;

import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.health.BreakerState;
import dev.tailgate.gateway.health.HealthRegistry;
import dev.tailgate.gateway.health.HealthState;
import dev.tailgate.gateway.upstream.ProviderRegistry;
import dev.tailgate.gateway.upstream.ProviderState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's Prometheus metrics (names and labels: docs/metrics/README.md).
 *
 * <p>Every label value comes from configuration: the model alias when the config has it (else {@code unknown}, or
 * {@code none} when the request named no model), the provider name, the endpoint as registered by the router, and the
 * status class. A client therefore cannot grow the label set, however many model names it sends.
 *
 * <p>Meters are looked up once per label set and then reused: the builder's registry lookup costs more than the
 * increment, and the request path should not pay for it every time. Provider gauges are read at scrape time.
 */
public final class Metrics {
    /** A model name that is not in the config (client input never becomes a label). */
    public static final String UNKNOWN = "unknown";
    /** No model or provider was involved (e.g. /v1/models, a request refused before routing). */
    public static final String NONE = "none";

    /** Latency buckets: from a fast local refusal to a long generation. */
    private static final Duration[] LATENCY_BUCKETS = durations(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
    private static final double[] TOKEN_BUCKETS = {16, 64, 256, 1024, 4096, 16384, 65536, 262144};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ProviderRegistry providers;
    private final HealthRegistry health;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentHashMap<RequestKey, RequestMeters> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TargetKey, TargetMeters> targets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TargetKey, Counter> fallbacks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> privateRefusals = new ConcurrentHashMap<>();
    private final MultiGauge providerInFlight;
    private final MultiGauge providerQueued;
    private final MultiGauge providerMaxConcurrency;
    private final MultiGauge breakerState;
    private final MultiGauge healthState;

    private record RequestKey(String endpoint, String model, String provider, String statusClass) {}

    private record TargetKey(String model, String provider) {}

    private record RequestMeters(Counter count, Timer latency) {}

    private record TargetMeters(Timer ttft, DistributionSummary tokensIn, DistributionSummary tokensOut, Counter cost) {}

    /** {@code providers} and {@code health} are read at scrape time for the per-provider gauges. */
    public Metrics(ProviderRegistry providers, HealthRegistry health) {
        this.providers = providers;
        this.health = health;
        Gauge.builder("tailgate.in.flight.requests", inFlight, AtomicInteger::get)
                .description("requests being served").register(registry);
        providerInFlight = MultiGauge.builder("tailgate.provider.in.flight")
                .description("requests holding one of the provider's concurrency slots").register(registry);
        providerQueued = MultiGauge.builder("tailgate.provider.queued")
                .description("requests waiting for a provider slot (queue depth)").register(registry);
        providerMaxConcurrency = MultiGauge.builder("tailgate.provider.max.concurrency")
                .description("the provider's configured max_concurrency").register(registry);
        breakerState = MultiGauge.builder("tailgate.provider.breaker.state")
                .description("1 for the provider's current circuit-breaker state, 0 for the others").register(registry);
        healthState = MultiGauge.builder("tailgate.provider.health.state")
                .description("1 for the provider's current health state, 0 for the others").register(registry);
    }

    public void started() {
        inFlight.incrementAndGet();
    }

    /** The request meters as a lifecycle listener; {@code config}: the current config, labels are checked against it. */
    public RequestListener requests(java.util.function.Supplier<GatewayConfig> config) {
        return new RequestListener() {
            @Override
            public void started(RequestContext ctx) {
                Metrics.this.started();
            }

            @Override
            public void finished(RequestContext ctx, RequestOutcome outcome) {
                Metrics.this.finished(ctx, ctx.endpoint(), outcome.status(), outcome.nanos(), config.get());
            }
        };
    }

    /**
     * A request ended. {@code endpoint} is the router's own name for the route (a registered path, a prefix + "*", or
     * "other"); {@code config} is the config the labels are checked against.
     */
    public void finished(RequestContext ctx, String endpoint, int status, long nanos, GatewayConfig config) {
        inFlight.decrementAndGet();
        String model = modelLabel(ctx.model(), ctx.errorCode(), config);
        String provider = providerLabel(ctx.provider());
        RequestMeters r = requests.computeIfAbsent(new RequestKey(endpoint, model, provider, statusClass(status)), this::requestMeters);
        r.count().increment();
        r.latency().record(nanos, TimeUnit.NANOSECONDS);
        if (!provider.equals(NONE)) {
            TargetMeters t = targets.computeIfAbsent(new TargetKey(model, provider), this::targetMeters);
            long ttft = ctx.ttftNanos();
            if (ttft >= 0) t.ttft().record(ttft, TimeUnit.NANOSECONDS);
            if (ctx.hasUsage()) {
                t.tokensIn().record(ctx.promptTokens());
                t.tokensOut().record(ctx.completionTokens());
            }
            if (ctx.costUsd() > 0) t.cost().increment(ctx.costUsd());
        }
        for (String from : ctx.fellBackFrom()) {
            fallbacks.computeIfAbsent(new TargetKey(model, providerLabel(from)), k ->
                    Counter.builder("tailgate.fallbacks").description("attempts that failed over to the route's next target")
                            .tags("model", k.model(), "from_provider", k.provider()).register(registry)).increment();
        }
        if ("no_private_route".equals(ctx.errorCode())) {
            privateRefusals.computeIfAbsent(model, m ->
                    Counter.builder("tailgate.private.refusals").description("private requests refused: no local target could serve them")
                            .tag("model", m).register(registry)).increment();
        }
    }

    /**
     * The alias when the config has it: a client-supplied name is never a label. A request refused as
     * {@code model_not_found} before any endpoint recorded its model is {@code unknown} too.
     */
    static String modelLabel(String model, String errorCode, GatewayConfig config) {
        if (model == null) return "model_not_found".equals(errorCode) ? UNKNOWN : NONE;
        return config.models().containsKey(model) ? model : UNKNOWN;
    }

    private String providerLabel(String provider) {
        if (provider == null) return NONE;
        return providers.get(provider) != null ? provider : UNKNOWN;
    }

    /** Constants, not built per request: a fresh string per request also paid its hash in the meter lookup. */
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    static String statusClass(int status) {
        return status >= 100 && status < 600 ? STATUS_CLASSES[status / 100 - 1] : "other";
    }

    private RequestMeters requestMeters(RequestKey k) {
        Tags tags = Tags.of("endpoint", k.endpoint(), "model", k.model(), "provider", k.provider(), "status_class", k.statusClass());
        return new RequestMeters(
                Counter.builder("tailgate.requests").description("requests by endpoint, model, provider and status class")
                        .tags(tags).register(registry),
                Timer.builder("tailgate.request.duration").description("request latency, first byte in to last byte out")
                        .tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry));
    }

    private TargetMeters targetMeters(TargetKey k) {
        Tags tags = Tags.of("model", k.model(), "provider", k.provider());
        return new TargetMeters(
                Timer.builder("tailgate.time.to.first.token").description("time from the request to the first content sent to the client")
                        .tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry),
                DistributionSummary.builder("tailgate.input.tokens").description("prompt tokens per request, as the upstream reported them")
                        .tags(tags).serviceLevelObjectives(TOKEN_BUCKETS).register(registry),
                DistributionSummary.builder("tailgate.output.tokens").description("completion tokens per request, as the upstream reported them")
                        .tags(tags).serviceLevelObjectives(TOKEN_BUCKETS).register(registry),
                Counter.builder("tailgate.cost.usd").description("cost in USD from the configured pricing")
                        .tags(tags).register(registry));
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** The Prometheus text exposition (format 0.0.4). Refreshes the provider gauges first. */
    public synchronized String scrape() {
        List<MultiGauge.Row<?>> active = new ArrayList<>();
        List<MultiGauge.Row<?>> queued = new ArrayList<>();
        List<MultiGauge.Row<?>> max = new ArrayList<>();
        for (ProviderState p : providers.all()) {
            Tags tags = Tags.of("provider", p.config().name());
            active.add(MultiGauge.Row.of(tags, p.limits().inFlight()));
            queued.add(MultiGauge.Row.of(tags, p.limits().queued()));
            max.add(MultiGauge.Row.of(tags, p.config().maxConcurrency()));
        }
        List<MultiGauge.Row<?>> breakers = new ArrayList<>();
        List<MultiGauge.Row<?>> states = new ArrayList<>();
        for (HealthRegistry.ProviderSnapshot p : health.snapshot()) {
            for (BreakerState b : BreakerState.values()) {
                breakers.add(MultiGauge.Row.of(Tags.of("provider", p.name(), "state", b.name().toLowerCase(Locale.ROOT)), p.breaker() == b ? 1 : 0));
            }
            for (HealthState h : HealthState.values()) {
                states.add(MultiGauge.Row.of(Tags.of("provider", p.name(), "state", h.wireName()), p.state() == h ? 1 : 0));
            }
        }
        providerInFlight.register(active, true);
        providerQueued.register(queued, true);
        providerMaxConcurrency.register(max, true);
        breakerState.register(breakers, true);
        healthState.register(states, true);
        return registry.scrape();
    }

    private static Duration[] durations(double... seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) out[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        return out;
    }
}
