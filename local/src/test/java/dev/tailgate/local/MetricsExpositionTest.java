package dev.tailgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.metrics.LocalMetrics;
import dev.tailgate.testing.prometheus.PrometheusText;
import dev.tailgate.wire.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * qwen-local's {@code /metrics}: a strict text-format parser accepts it; per model it carries state, load time,
 * tokens/s, queue and memory; every {@code tailgate_local_*} metric the sample Grafana dashboard queries exists; and
 * model names a client made up never become labels (issue 9 point 3, on this service too).
 */
@Timeout(90)
class MetricsExpositionTest {
    private static final String CHAT = """
            models:
              chat:
                capability: chat
                engine: llama.cpp
                file: chat.gguf
            """;
    private static final String PREFIX = "zz-made-up-";

    @TempDir
    Path tmp;

    @Test
    void aRealScrapeParsesStrictlyWithThePerModelFamilies() throws Exception {
        try (Harness h = Harness.start(tmp, CHAT, new FakeEngineFactory(), "chat.gguf")) {
            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:40", false)).statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:8", true)).statusCode()).isEqualTo(200);
            PrometheusText m = PrometheusText.parse(scrapeWhenCounted(h, "tailgate_local_requests_total{endpoint=\"/v1/chat/completions\",model=\"chat\",status_class=\"2xx\"} 2.0"));

            Map<String, String> expectedTypes = Map.of(
                    "tailgate_local_model_state", "gauge",
                    "tailgate_local_in_flight", "gauge",
                    "tailgate_local_queued", "gauge",
                    "tailgate_local_memory_bytes", "gauge",
                    "tailgate_local_load_duration_seconds", "histogram",
                    "tailgate_local_tokens_per_second", "histogram",
                    "tailgate_local_tokens_generated_total", "counter",
                    "tailgate_local_queue_wait_seconds", "histogram",
                    "tailgate_local_job_duration_seconds", "histogram",
                    "tailgate_local_requests_total", "counter");
            expectedTypes.forEach((name, type) -> {
                assertThat(m.families()).as(name).containsKey(name);
                assertThat(m.families().get(name).type()).as(name).isEqualTo(type);
                assertThat(m.families().get(name).help()).as("HELP of " + name).isNotBlank();
            });
            assertThat(value(m, "tailgate_local_model_state", Map.of("model", "chat", "state", "ready"))).isEqualTo(1);
            assertThat(value(m, "tailgate_local_model_state", Map.of("model", "chat", "state", "loading"))).isEqualTo(0);
            assertThat(value(m, "tailgate_local_load_duration_seconds_count", Map.of("model", "chat", "outcome", "ok"))).isEqualTo(1);
            assertThat(value(m, "tailgate_local_tokens_generated_total", Map.of("model", "chat"))).isEqualTo(48);
            assertThat(value(m, "tailgate_local_tokens_per_second_count", Map.of("model", "chat"))).isEqualTo(2);
            assertThat(value(m, "tailgate_local_tokens_per_second_sum", Map.of("model", "chat"))).isPositive();
            assertThat(value(m, "tailgate_local_queue_wait_seconds_count", Map.of("model", "chat"))).isEqualTo(2);
            assertThat(value(m, "tailgate_local_queued", Map.of("model", "chat"))).isEqualTo(0);
            assertThat(m.families()).containsKey("tailgate_local_memory_bytes");

            Set<String> exposed = m.seriesNames();
            Set<String> queried = dashboardLocalMetrics();
            assertThat(queried).as("the dashboard queries qwen-local metrics").hasSizeGreaterThan(5);
            assertThat(exposed).as("every tailgate_local_* metric the dashboard queries").containsAll(queried);
        }
    }

    @Test
    void clientSuppliedModelNamesNeverBecomeLabels() throws Exception {
        try (Harness h = Harness.start(tmp, CHAT, new FakeEngineFactory(), "chat.gguf")) {
            h.get("/metrics"); // a scrape counts itself once it has ended: let that series exist before comparing
            send(h, "a");
            Set<String> afterFirst = series(PrometheusText.parse(h.get("/metrics").body()));
            send(h, "b");
            String body = h.get("/metrics").body();
            PrometheusText m = PrometheusText.parse(body);
            assertThat(body).doesNotContain(PREFIX);
            for (PrometheusText.Sample s : m.samples()) {
                String model = s.labels().get("model");
                if (model != null) assertThat(model).as(s.toString()).isIn("chat", LocalMetrics.UNKNOWN, LocalMetrics.NONE);
            }
            assertThat(series(m)).as("fresh names added no series").isEqualTo(afterFirst);
        }
    }

    private static void send(Harness h, String batch) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String name = PREFIX + batch + i;
            statuses.add(h.post("/v1/chat/completions", Harness.chat(name, "x", false)).statusCode());
            statuses.add(h.post("/v1/embeddings", "{\"model\":\"" + name + "\",\"input\":\"x\"}").statusCode());
            statuses.add(h.post("/v1/audio/speech", "{\"model\":\"" + name + "\",\"input\":\"x\",\"voice\":\"a\"}").statusCode());
            String boundary = "b0undary";
            String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + name + "\r\n"
                    + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                    + "Content-Type: audio/wav\r\n\r\nRIFF0000\r\n--" + boundary + "--\r\n";
            statuses.add(h.http.send(HttpRequest.newBuilder(h.uri("/v1/audio/transcriptions")).timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        assertThat(statuses).allSatisfy(s -> assertThat(s).isIn(400, 404));
    }

    /** Polls (bounded) until the scrape shows {@code line}: a request is counted once its response has ended. */
    private static String scrapeWhenCounted(Harness h, String line) throws Exception {
        String[] body = {""};
        Harness.await("metrics show " + line, () -> (body[0] = h.get("/metrics").body()).contains(line));
        // kept as a test artifact, e.g. for `promtool check metrics < local/target/local-metrics.txt`
        Files.writeString(Path.of("target", "local-metrics.txt"), body[0]);
        return body[0];
    }

    static Set<String> dashboardLocalMetrics() throws Exception {
        Path file = Path.of("").toAbsolutePath().getParent().resolve("docs/metrics/grafana-dashboard.json");
        JsonNode dash = Json.parse(Files.readString(file));
        Set<String> out = new TreeSet<>();
        Pattern metric = Pattern.compile("tailgate_local_[a-z0-9_]+");
        for (JsonNode expr : dash.findValues("expr")) {
            Matcher mm = metric.matcher(expr.asText());
            while (mm.find()) out.add(mm.group());
        }
        return out;
    }

    private static Set<String> series(PrometheusText scrape) {
        Set<String> out = new HashSet<>();
        for (PrometheusText.Sample s : scrape.samples()) out.add(s.name() + new TreeMap<>(s.labels()));
        return out;
    }

    private static double value(PrometheusText m, String sample, Map<String, String> labels) {
        return m.samples().stream().filter(s -> s.name().equals(sample) && s.labels().equals(labels))
                .mapToDouble(PrometheusText.Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + sample + labels));
    }
}
