package dev.tailgate.local.metrics;

import dev.tailgate.local.sched.ModelHealth;
import dev.tailgate.local.sched.ModelState;
import dev.tailgate.local.sched.Scheduler;
import dev.tailgate.local.sched.SchedulerEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus metrics for qwen-local (names and labels: docs/metrics/README.md). Labels come only from the config (model ids),
 * the endpoint list and the status class: a request naming a model that is not configured counts as {@code unknown}.
 * Meters are built once per label set and reused; the per-model gauges read one health snapshot per scrape, so a
 * scrape takes the scheduler lock once, not once per gauge.
 */
public final class LocalMetrics implements SchedulerEvents {
    /** A model name that is not in the config (client input never becomes a label). */
    public static final String UNKNOWN = "unknown";
    /** The request named no model (e.g. /health, /v1/models). */
    public static final String NONE = "none";

    private static final Duration[] JOB_BUCKETS = durations(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
    private static final Duration[] LOAD_BUCKETS = durations(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
    private static final double[] RATE_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Model ids known to be configured; a miss asks the scheduler once (a model added by a config reload). */
    private final Set<String> configured = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ModelMeters> models = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> jobs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> loads = new ConcurrentHashMap<>();
    private final MultiGauge inFlight;
    private final MultiGauge queued;
    private final MultiGauge memory;
    private final MultiGauge state;
    private volatile Scheduler scheduler;

    private record RequestKey(String endpoint, String model, String statusClass) {}

    private record ModelMeters(Timer queueWait, DistributionSummary tokensPerSecond, Counter tokens) {}

    public LocalMetrics() {
        inFlight = MultiGauge.builder("tailgate_local_in_flight").description("jobs running on the model").register(registry);
        queued = MultiGauge.builder("tailgate_local_queued").description("jobs waiting for the model (queue depth)").register(registry);
        memory = MultiGauge.builder("tailgate_local_memory_bytes").description("resident memory attributed to the model").register(registry);
        state = MultiGauge.builder("tailgate_local_model_state").description("1 for the model's current state, 0 for the others").register(registry);
    }

    /** Starts reading the scheduler's models; call once the scheduler exists. Registers each model's meters at once. */
    public void bind(Scheduler scheduler) {
        this.scheduler = scheduler;
        for (ModelHealth h : scheduler.health()) {
            configured.add(h.id());
            model(h.id());
        }
    }

    /** One HTTP request answered. {@code model} is the name the request gave, or null when it gave none. */
    public void request(String endpoint, String model, int status) {
        RequestKey key = new RequestKey(endpoint, label(model), statusClass(status));
        requests.computeIfAbsent(key, k -> Counter.builder("tailgate_local_requests")
                .description("requests by endpoint, model and status class")
                .tags("endpoint", k.endpoint(), "model", k.model(), "status_class", k.statusClass()).register(registry)).increment();
    }

    private String label(String model) {
        if (model == null) return NONE;
        if (configured.contains(model)) return model;
        Scheduler s = scheduler;
        if (s != null && s.model(model) != null) {
            configured.add(model);
            return model;
        }
        return UNKNOWN;
    }

    static String statusClass(int status) {
        return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
    }

    @Override
    public void started(String model, Duration queueWait) {
        model(model).queueWait().record(queueWait);
    }

    @Override
    public void finished(String model, String outcome, Duration total, Duration onEngine, int completionTokens) {
        // the outcome is one of the scheduler's failure kinds: a fixed set
        jobs.computeIfAbsent(model + '\u0000' + outcome, k -> Timer.builder("tailgate_local_job_duration")
                .description("time from admission to the end of the job").tags("model", model, "outcome", outcome)
                .serviceLevelObjectives(JOB_BUCKETS).register(registry)).record(total);
        if (completionTokens <= 0) return;
        ModelMeters m = model(model);
        m.tokens().increment(completionTokens);
        if (onEngine != null && onEngine.toNanos() > 0) m.tokensPerSecond().record(completionTokens * 1e9 / onEngine.toNanos());
    }

    @Override
    public void loaded(String model, Duration took, boolean ok) {
        loads.computeIfAbsent(model + '\u0000' + ok, k -> Timer.builder("tailgate_local_load_duration")
                .description("time to load the model into memory").tags("model", model, "outcome", ok ? "ok" : "failed")
                .serviceLevelObjectives(LOAD_BUCKETS).register(registry)).record(took);
    }

    private ModelMeters model(String id) {
        return models.computeIfAbsent(id, m -> new ModelMeters(
                Timer.builder("tailgate_local_queue_wait").description("time from admission to start on the engine")
                        .tag("model", m).serviceLevelObjectives(JOB_BUCKETS).register(registry),
                DistributionSummary.builder("tailgate_local_tokens_per_second")
                        .description("completion tokens per second of engine time (prefill included), per job")
                        .tag("model", m).serviceLevelObjectives(RATE_BUCKETS).register(registry),
                Counter.builder("tailgate_local_tokens_generated").description("completion tokens generated")
                        .tag("model", m).register(registry)));
    }

    /** The Prometheus text exposition (format 0.0.4). Refreshes the per-model gauges from one health snapshot. */
    public synchronized String scrape() {
        Scheduler s = scheduler;
        if (s != null) {
            List<MultiGauge.Row<?>> active = new ArrayList<>();
            List<MultiGauge.Row<?>> waiting = new ArrayList<>();
            List<MultiGauge.Row<?>> bytes = new ArrayList<>();
            List<MultiGauge.Row<?>> states = new ArrayList<>();
            for (ModelHealth h : s.health()) {
                configured.add(h.id());
                Tags model = Tags.of("model", h.id());
                active.add(MultiGauge.Row.of(model, h.inFlight()));
                waiting.add(MultiGauge.Row.of(model, h.queued()));
                bytes.add(MultiGauge.Row.of(model, h.memoryBytes()));
                for (ModelState st : ModelState.values()) {
                    states.add(MultiGauge.Row.of(model.and("state", st.wireName()), h.state() == st ? 1 : 0));
                }
            }
            inFlight.register(active, true);
            queued.register(waiting, true);
            memory.register(bytes, true);
            state.register(states, true);
        }
        return registry.scrape();
    }

    private static Duration[] durations(double... seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) out[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        return out;
    }
}
