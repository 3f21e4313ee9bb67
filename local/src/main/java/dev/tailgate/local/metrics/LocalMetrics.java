package dev.tailgate.local.metrics;

import dev.tailgate.local.sched.ModelHealth;
import dev.tailgate.local.sched.ModelState;
import dev.tailgate.local.sched.Scheduler;
import dev.tailgate.local.sched.SchedulerEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus metrics for qwen-local. Model gauges read a health snapshot taken once per scrape, so one scrape takes
 * the scheduler lock once, not once per gauge.
 */
public final class LocalMetrics implements SchedulerEvents {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, ModelHealth> snapshot = new ConcurrentHashMap<>();
    private Scheduler scheduler;

    /** Registers the per-model gauges; call once the scheduler exists. */
    public void bind(Scheduler scheduler) {
        this.scheduler = scheduler;
        for (ModelHealth h : scheduler.health()) {
            String id = h.id();
            snapshot.put(id, h);
            Gauge.builder("tailgate_local_in_flight", snapshot, s -> s.get(id).inFlight())
                    .description("jobs running on the model").tag("model", id).register(registry);
            Gauge.builder("tailgate_local_queued", snapshot, s -> s.get(id).queued())
                    .description("jobs waiting for the model").tag("model", id).register(registry);
            Gauge.builder("tailgate_local_memory_bytes", snapshot, s -> s.get(id).memoryBytes())
                    .description("resident memory attributed to the model").tag("model", id).register(registry);
            for (ModelState state : ModelState.values()) {
                Gauge.builder("tailgate_local_model_state", snapshot, s -> s.get(id).state() == state ? 1 : 0)
                        .description("1 for the model's current state")
                        .tags("model", id, "state", state.wireName()).register(registry);
            }
        }
    }

    /**
     * One HTTP request answered. {@code model} is "-" when the request named none and "unknown" when it named one
     * that is not configured: labels come only from the config, so a client cannot grow the metrics without bound.
     */
    public void request(String endpoint, String model, int status) {
        String label = model == null ? "-" : snapshot.containsKey(model) ? model : "unknown";
        Counter.builder("tailgate_local_requests").description("requests by endpoint, model and status")
                .tags("endpoint", endpoint, "model", label, "status", Integer.toString(status))
                .register(registry).increment();
    }

    @Override
    public void started(String model, Duration queueWait) {
        Timer.builder("tailgate_local_queue_wait").description("time from admission to start on the engine")
                .tag("model", model).publishPercentileHistogram().register(registry).record(queueWait);
    }

    @Override
    public void finished(String model, String outcome, Duration total, int completionTokens) {
        Timer.builder("tailgate_local_job_duration").description("time from admission to the end of the job")
                .tags("model", model, "outcome", outcome).publishPercentileHistogram().register(registry).record(total);
        if (completionTokens > 0) {
            Counter.builder("tailgate_local_tokens_generated").description("completion tokens generated")
                    .tag("model", model).register(registry).increment(completionTokens);
        }
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        if (scheduler != null) {
            List<ModelHealth> now = scheduler.health();
            for (ModelHealth h : now) snapshot.put(h.id(), h);
        }
        return registry.scrape();
    }
}
