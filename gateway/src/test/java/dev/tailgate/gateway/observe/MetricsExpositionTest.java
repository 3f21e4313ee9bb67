package dev.tailgate.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tailgate.gateway.it.Harness;
import dev.tailgate.testing.prometheus.PrometheusText;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's {@code /metrics} after real traffic (a priced model, a stream, a fallback, a private refusal, an
 * unknown model): a strict text-format parser accepts it, every documented family is there with its type, the
 * events are counted where they happened, and every metric the sample Grafana dashboard queries exists.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MetricsExpositionTest {
    static final Path DOCS = Path.of("").toAbsolutePath().getParent().resolve("docs/metrics");

    @Test
    void aRealScrapeParsesStrictlyAndCountsWhatHappened() throws Exception {
        PrometheusText m = PrometheusText.parse(scrapeAfterTraffic());
        Map<String, String> expectedTypes = Map.ofEntries(
                Map.entry("tailgate_requests_total", "counter"),
                Map.entry("tailgate_request_duration_seconds", "histogram"),
                Map.entry("tailgate_time_to_first_token_seconds", "histogram"),
                Map.entry("tailgate_input_tokens", "histogram"),
                Map.entry("tailgate_output_tokens", "histogram"),
                Map.entry("tailgate_cost_usd_total", "counter"),
                Map.entry("tailgate_fallbacks_total", "counter"),
                Map.entry("tailgate_private_refusals_total", "counter"),
                Map.entry("tailgate_in_flight_requests", "gauge"),
                Map.entry("tailgate_provider_in_flight", "gauge"),
                Map.entry("tailgate_provider_queued", "gauge"),
                Map.entry("tailgate_provider_max_concurrency", "gauge"),
                Map.entry("tailgate_provider_breaker_state", "gauge"),
                Map.entry("tailgate_provider_health_state", "gauge"));
        expectedTypes.forEach((name, type) -> {
            assertThat(m.families()).as(name).containsKey(name);
            assertThat(m.families().get(name).type()).as(name).isEqualTo(type);
            assertThat(m.families().get(name).help()).as("HELP of " + name).isNotBlank();
        });

        assertThat(value(m, "tailgate_requests_total", Map.of("endpoint", "/v1/chat/completions", "model", "qwen",
                "provider", "fake", "status_class", "2xx"))).isEqualTo(2);
        assertThat(value(m, "tailgate_request_duration_seconds_count", Map.of("endpoint", "/v1/chat/completions", "model", "qwen",
                "provider", "fake", "status_class", "2xx"))).isEqualTo(2);
        // time to first token is a streamed response's: the non-streamed one has none
        assertThat(value(m, "tailgate_time_to_first_token_seconds_count", Map.of("model", "qwen", "provider", "fake"))).isEqualTo(1);
        assertThat(value(m, "tailgate_input_tokens_count", Map.of("model", "qwen", "provider", "fake"))).isEqualTo(2);
        assertThat(value(m, "tailgate_output_tokens_sum", Map.of("model", "qwen", "provider", "fake"))).isPositive();
        // priced at 1 USD per token in and out: the counter holds the tokens the upstream reported
        double tokens = value(m, "tailgate_input_tokens_sum", Map.of("model", "qwen", "provider", "fake"))
                + value(m, "tailgate_output_tokens_sum", Map.of("model", "qwen", "provider", "fake"));
        assertThat(value(m, "tailgate_cost_usd_total", Map.of("model", "qwen", "provider", "fake"))).isEqualTo(tokens);
        // flaky: fake/error-500 failed, backup/echo answered
        assertThat(value(m, "tailgate_fallbacks_total", Map.of("model", "flaky", "from_provider", "fake"))).isEqualTo(1);
        assertThat(value(m, "tailgate_requests_total", Map.of("endpoint", "/v1/chat/completions", "model", "flaky",
                "provider", "backup", "status_class", "2xx"))).isEqualTo(1);
        assertThat(value(m, "tailgate_private_refusals_total", Map.of("model", "external-only"))).isEqualTo(1);
        assertThat(value(m, "tailgate_requests_total", Map.of("endpoint", "/v1/chat/completions", "model", "unknown",
                "provider", "none", "status_class", "4xx"))).isEqualTo(1);
        assertThat(value(m, "tailgate_requests_total", Map.of("endpoint", "other", "model", "none",
                "provider", "none", "status_class", "4xx"))).as("a path the gateway does not serve").isEqualTo(1);
        assertThat(value(m, "tailgate_provider_breaker_state", Map.of("provider", "fake", "state", "closed"))).isEqualTo(1);
        assertThat(value(m, "tailgate_provider_breaker_state", Map.of("provider", "fake", "state", "open"))).isEqualTo(0);
        assertThat(value(m, "tailgate_provider_max_concurrency", Map.of("provider", "fake"))).isEqualTo(4);
        assertThat(value(m, "tailgate_provider_queued", Map.of("provider", "fake"))).isEqualTo(0);
    }

    @Test
    void everyMetricTheDashboardQueriesExistsInARealScrape() throws Exception {
        Set<String> exposed = PrometheusText.parse(scrapeAfterTraffic()).seriesNames();
        Set<String> queried = dashboardMetrics();
        assertThat(queried).as("the dashboard queries gateway metrics").hasSizeGreaterThan(10);
        for (String name : queried) {
            if (!name.startsWith("tailgate_local_")) assertThat(exposed).as("dashboard metric " + name).contains(name);
        }
    }

    @Test
    void theSampleScrapeConfigNamesTheJobsTheDashboardSelects() throws Exception {
        JsonNode prom = new ObjectMapper(new YAMLFactory()).readTree(DOCS.resolve("prometheus.yml").toFile());
        Set<String> jobs = new TreeSet<>();
        for (JsonNode job : prom.get("scrape_configs")) {
            jobs.add(job.get("job_name").asText());
            assertThat(job.get("metrics_path").asText()).isEqualTo("/metrics");
        }
        Set<String> selected = new TreeSet<>();
        for (JsonNode v : Json.parse(Files.readString(DOCS.resolve("grafana-dashboard.json"))).at("/templating/list")) {
            selected.add(v.at("/current/value").asText());
        }
        assertThat(jobs).isEqualTo(selected).containsExactly("qwen-local", "tailgate-gateway");
    }

    /** Every {@code tailgate_*} name in the dashboard's queries. */
    static Set<String> dashboardMetrics() throws Exception {
        JsonNode dash = Json.parse(Files.readString(DOCS.resolve("grafana-dashboard.json")));
        Set<String> out = new TreeSet<>();
        Pattern metric = Pattern.compile("tailgate_[a-z0-9_]+");
        for (JsonNode expr : dash.findValues("expr")) {
            Matcher mm = metric.matcher(expr.asText());
            while (mm.find()) out.add(mm.group());
        }
        return out;
    }

    private static String scrapeAfterTraffic() throws Exception {
        try (Harness h = Harness.start()) {
            Path cfg = h.dir.resolve("gateway.yaml");
            Files.writeString(cfg, Files.readString(cfg) + "pricing:\n  qwen: {input_per_million: 1000000, output_per_million: 1000000}\n");
            assertThat(h.gateway.reload()).isTrue();
            assertThat(h.post("/v1/chat/completions", Harness.chat("qwen", false, "hello there")).statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("qwen", true, "hello again")).statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("flaky", false, "x")).statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("no-such-model", false, "x")).statusCode()).isEqualTo(404);
            assertThat(h.get("/no/such/path").statusCode()).isEqualTo(404);
            HttpResponse<String> refused = h.send(HttpRequest.newBuilder(URI.create(h.base() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + Harness.PRIVATE_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("external-only", false, "x"))).build());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("no_private_route");
            // a request is counted when its response has ended on the gateway's side: poll (bounded) for the last one
            HttpResponse<String> r = h.get("/metrics");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!r.body().contains("tailgate_private_refusals_total{model=\"external-only\"}") && System.nanoTime() < deadline) {
                Thread.sleep(20);
                r = h.get("/metrics");
            }
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            // kept as a test artifact, e.g. for `promtool check metrics < gateway/target/gateway-metrics.txt`
            Files.writeString(Path.of("target", "gateway-metrics.txt"), r.body());
            return r.body();
        }
    }

    private static double value(PrometheusText m, String sample, Map<String, String> labels) {
        return m.samples().stream().filter(s -> s.name().equals(sample) && s.labels().equals(labels))
                .mapToDouble(PrometheusText.Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + sample + labels));
    }
}
