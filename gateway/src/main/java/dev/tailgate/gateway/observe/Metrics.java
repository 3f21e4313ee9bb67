package dev.tailgate.gateway.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics: {@code tailgate_requests_total{status,model,provider}}, the latency histogram
 * {@code tailgate_request_duration_seconds} and the {@code tailgate_in_flight_requests} gauge. Labels use only config
 * names (aliases, provider names), never request text, so cardinality stays bounded.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Meters by label set: looked up once, then reused (the builder's registry lookup costs more than the increment). */
    private final java.util.concurrent.ConcurrentHashMap<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    public Metrics() {
        Gauge.builder("tailgate.in.flight.requests", inFlight, AtomicInteger::get)
                .description("requests being served").register(registry);
    }

    public void started() {
        inFlight.incrementAndGet();
    }

    public void finished(String path, int status, String model, String provider, long nanos) {
        inFlight.decrementAndGet();
        String m = model == null ? "none" : model;
        String p = provider == null ? "none" : provider;
        counters.computeIfAbsent(status + "\u0000" + m + "\u0000" + p + "\u0000" + path, k ->
                Counter.builder("tailgate.requests").description("requests by final status")
                        .tag("status", Integer.toString(status)).tag("model", m).tag("provider", p).tag("path", path)
                        .register(registry)).increment();
        timers.computeIfAbsent(m + "\u0000" + p, k ->
                Timer.builder("tailgate.request.duration").description("request latency, first byte in to last byte out")
                        .tag("model", m).tag("provider", p).publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public int inFlight() {
        return inFlight.get();
    }

    public String scrape() {
        return registry.scrape();
    }
}
