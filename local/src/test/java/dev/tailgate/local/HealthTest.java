package dev.tailgate.local;

import static dev.tailgate.local.ChatApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** /status, /health and /metrics. */
@Timeout(60)
class HealthTest {
    @TempDir
    Path tmp;

    private static final String QWEN_MISSING = """
            models:
              qwen:
                capability: chat
                engine: llama.cpp
                file: qwen.gguf
                source: hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen.gguf
            """;

    @Test
    void aMissingModelFileIsUnavailableWithThePullCommandAndHealthIs503() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, QWEN_MISSING, engines)) {
            JsonNode status = h.status();
            assertThat(status.get("status").asText()).isEqualTo("unavailable");
            JsonNode m = status.get("models").get(0);
            assertThat(m.get("state").asText()).isEqualTo("unavailable");
            assertThat(m.get("reason").asText()).isEqualTo("model file qwen.gguf"
                    + " is missing — run: tailgate models pull qwen");
            // where the home is stays private: no absolute model path in /status (issue 9 point 7)
            assertThat(h.get("/status").body()).doesNotContain(h.modelsDir.toString()).doesNotContain(tmp.toString());

            HttpResponse<String> health = h.get("/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.headers().firstValue("retry-after")).isPresent();
            assertThat(Json.parse(health.body()).get("reason").asText()).contains("qwen").contains("models pull");

            HttpResponse<String> chat = h.post("/v1/chat/completions", Harness.chat("qwen", "hi", false));
            // only the operator can fix it: no Retry-After, and SDKs are told not to retry
            assertError(chat, 503, "api_error", "model_unavailable");
            assertThat(chat.body()).contains("models pull");
            assertThat(chat.headers().firstValue("retry-after")).isEmpty();
            assertThat(chat.headers().firstValue("x-should-retry")).contains("false");
            assertThat(engines.loadsOf("qwen")).isZero();

            // pulled while running: available without a restart
            Files.writeString(h.modelsDir.resolve("qwen.gguf"), "now it is here");
            assertThat(h.state("qwen")).isEqualTo("unloaded");
            assertThat(h.get("/health").statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("qwen", "hi", false)).statusCode()).isEqualTo(200);

            // removed while loaded (`models rm`): unavailable again, and the watchdog unloads it
            Files.delete(h.modelsDir.resolve("qwen.gguf"));
            assertThat(h.state("qwen")).isEqualTo("unavailable");
            Harness.await("the orphaned model is unloaded", () -> engines.current("qwen").closed.get());
            assertThat(h.status().get("memory").get("used_bytes").asLong()).isZero();
        }
    }

    @Test
    void statusListsPerModelCountersAndMemoryAndIsDegradedWhenOneModelCannotServe() throws Exception {
        String yaml = QWEN_MISSING + """
                  mini:
                    capability: embeddings
                    engine: onnx
                """;
        try (Harness h = Harness.start(tmp, "memory_budget: 1GiB\n" + yaml, new FakeEngineFactory().memory("mini", 90_000_000))) {
            assertThat(h.get("/health").statusCode()).isEqualTo(200);
            assertThat(Json.parse(h.get("/health").body()).get("status").asText()).isEqualTo("degraded");
            assertThat(h.post("/v1/embeddings", "{\"model\":\"mini\",\"input\":\"hello\"}").statusCode()).isEqualTo(200);
            JsonNode status = h.status();
            assertThat(status.get("status").asText()).isEqualTo("degraded");
            JsonNode mini = status.get("models").get(1);
            assertThat(mini.get("id").asText()).isEqualTo("mini");
            assertThat(mini.get("capability").asText()).isEqualTo("embeddings");
            assertThat(mini.get("state").asText()).isEqualTo("ready");
            assertThat(mini.get("reason").isNull()).isTrue();
            for (String f : new String[] {"in_flight", "queued", "oldest_job_ms", "last_progress_ms", "memory_bytes"}) {
                assertThat(mini.get(f).isIntegralNumber()).as(f).isTrue();
            }
            assertThat(mini.get("memory_bytes").asLong()).isEqualTo(90_000_000);
            assertThat(status.get("memory").get("budget_bytes").asLong()).isEqualTo(1L << 30);
            assertThat(status.get("memory").get("used_bytes").asLong()).isEqualTo(90_000_000);
        }
    }

    @Test
    void healthIs503WhenNothingIsConfigured() throws Exception {
        try (Harness h = Harness.start(tmp, "models: {}\n", new FakeEngineFactory())) {
            HttpResponse<String> r = h.get("/health");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("no models are configured");
        }
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        String yaml = """
                models:
                  chat:
                    capability: chat
                    engine: llama.cpp
                    file: chat.gguf
                """;
        try (Harness h = Harness.start(tmp, yaml, new FakeEngineFactory(), "chat.gguf")) {
            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:5", false)).statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("random-name-42", "x", false)).statusCode()).isEqualTo(404);
            HttpResponse<String> r = h.get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(r.body())
                    .contains("tailgate_local_in_flight{model=\"chat\"} 0.0")
                    .contains("tailgate_local_queued{model=\"chat\"} 0.0")
                    .contains("tailgate_local_model_state{model=\"chat\",state=\"ready\"} 1.0")
                    .contains("tailgate_local_model_state{model=\"chat\",state=\"busy\"} 0.0")
                    .contains("tailgate_local_tokens_generated_total{model=\"chat\"} 5.0")
                    .contains("tailgate_local_requests_total{endpoint=\"/v1/chat/completions\",model=\"chat\",status_class=\"2xx\"} 1.0")
                    .contains("tailgate_local_requests_total{endpoint=\"/v1/chat/completions\",model=\"unknown\",status_class=\"4xx\"} 1.0")
                    .doesNotContain("random-name-42")
                    .contains("tailgate_local_queue_wait_seconds_bucket{model=\"chat\"")
                    .contains("tailgate_local_job_duration_seconds_bucket{model=\"chat\",outcome=\"ok\"");
        }
    }
}
