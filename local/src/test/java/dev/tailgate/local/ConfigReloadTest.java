package dev.tailgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** local.yaml reloads while qwen-local runs: on request (as SIGHUP does) and on a file change; a bad file keeps the running config. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigReloadTest {
    private static final String BEFORE = """
            memory_budget: 1GiB
            models:
              chat:
                capability: chat
                engine: llama.cpp
                file: chat.gguf
                max_concurrency: 1
                max_queue: 0
              embed:
                capability: embeddings
                engine: onnx
                max_queue: 0
            """;

    @TempDir
    Path tmp;

    @Test
    void modelsLimitsAndBudgetChangeAndARemovedModelFinishesItsRequestFirst() throws Exception {
        try (Harness h = Harness.startFromFile(tmp, BEFORE, new FakeEngineFactory(), "chat.gguf")) {
            CompletableFuture<HttpResponse<String>> held = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hold", false));
            Harness.await("the chat runs", () -> h.model("chat").get("in_flight").asInt() == 1);
            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:1", false)).statusCode())
                    .as("max_queue 0: full").isEqualTo(429);

            Files.writeString(tmp.resolve("local.yaml"), Harness.header(h.modelsDir) + """
                    memory_budget: 2GiB
                    models:
                      embed:
                        capability: embeddings
                        engine: onnx
                        max_concurrency: 2
                        max_queue: 5
                        keep_alive: 1h
                      added:
                        capability: embeddings
                        engine: onnx
                    """);
            assertThat(h.server.reload()).isTrue();

            JsonNode status = h.status();
            assertThat(status.at("/memory/budget_bytes").asLong()).isEqualTo(2L << 30);
            List<String> ids = new ArrayList<>();
            status.get("models").forEach(m -> ids.add(m.get("id").asText()));
            assertThat(ids).containsExactly("embed", "added");
            assertThat(h.model("embed").get("max_queue").asInt()).isEqualTo(5);
            assertThat(h.server.scheduler().model("embed").keepAlive()).hasHours(1);
            assertThat(h.post("/v1/embeddings", "{\"model\":\"added\",\"input\":\"x\"}").statusCode()).isEqualTo(200);
            // the removed model takes no new request, but the one it runs finishes
            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:1", false)).statusCode()).isEqualTo(404);
            assertThat(held).isNotDone();
            assertThat(h.engines.current("chat").closed.get()).as("not unloaded while in use").isFalse();
            h.engines.release();
            assertThat(held.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            Harness.await("the removed model unloads once idle", () -> h.engines.current("chat").closed.get());
        }
    }

    @Test
    void changedEngineSettingsReloadTheModelAfterItsRunningRequest() throws Exception {
        try (Harness h = Harness.startFromFile(tmp, BEFORE, new FakeEngineFactory(), "chat.gguf")) {
            CompletableFuture<HttpResponse<String>> held = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hold", false));
            Harness.await("the chat runs", () -> h.model("chat").get("in_flight").asInt() == 1);
            Files.writeString(tmp.resolve("local.yaml"), Harness.header(h.modelsDir) + BEFORE.replace("memory_budget: 1GiB\n", "")
                    .replace("max_concurrency: 1\n    max_queue: 0", "max_concurrency: 2\n    max_queue: 4"));
            assertThat(h.server.reload()).isTrue();
            CompletableFuture<HttpResponse<String>> next = h.postAsync("/v1/chat/completions", Harness.chat("chat", "tokens:2", false));
            Harness.await("the new request waits for the reload", () -> h.model("chat").get("queued").asInt() == 1);
            assertThat(h.engines.loadsOf("chat")).isEqualTo(1);
            h.engines.release();
            assertThat(held.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(next.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(h.engines.loadsOf("chat")).as("reloaded with max_concurrency 2").isEqualTo(2);
            assertThat(h.engines.modelsOf("chat").getFirst().closed.get()).isTrue();
        }
    }

    @Test
    void aFileChangeReloadsAndABadFileKeepsTheRunningConfig() throws Exception {
        try (Harness h = Harness.startFromFile(tmp, BEFORE, new FakeEngineFactory(), "chat.gguf")) {
            Path file = tmp.resolve("local.yaml");
            Files.writeString(file, Harness.header(h.modelsDir) + """
                    models:
                      embed:
                        capability: embeddings
                        engine: onnx
                        keep_alive: 5
                    """);
            assertThat(h.server.reload()).as("a duration without a unit is refused").isFalse();
            assertThat(h.server.scheduler().models()).extracting(m -> m.id()).containsExactly("chat", "embed");

            Files.writeString(file, Harness.header(h.modelsDir) + """
                    models:
                      embed:
                        capability: embeddings
                        engine: onnx
                      later:
                        capability: embeddings
                        engine: onnx
                    """);
            // no reload() call: the 2-second file poll picks it up
            Harness.await("the file change is applied", () -> Json.parse(h.get("/v1/models").body()).toString().contains("\"later\""));
            assertThat(h.server.scheduler().models()).extracting(m -> m.id()).containsExactly("embed", "later");
        }
    }
}
