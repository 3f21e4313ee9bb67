package dev.tailgate.local;

import static dev.tailgate.local.ChatApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.local.engine.llama.TestHooks;
import dev.tailgate.local.engine.worker.WorkerProcessFactory;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service with real engines in real worker processes: llama.cpp on a synthetic GGUF, the built-in ONNX
 * embeddings model, through HTTP on 127.0.0.1.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class EndToEndWorkerTest {
    @TempDir
    static Path tmp;
    static LocalServer server;
    static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SyntheticGguf.tiny().type(GgmlType.Q8_0).seed(11).write(models.resolve("tiny.gguf"));
        LocalConfig config = new ConfigLoader(LocalServer.ENGINES).parse("""
                listen: 127.0.0.1:0
                models_dir: %s
                memory_budget: 4GiB
                shutdown_grace: 2s
                models:
                  tiny:
                    capability: chat
                    engine: llama.cpp
                    file: tiny.gguf
                    context: 1024
                    threads: 1
                    max_concurrency: 2
                    max_queue: 4
                    stuck_after: 3s
                  mini:
                    capability: embeddings
                    engine: onnx
                """.formatted(models), tmp);
        // The hang hook lets a test make the engine stop producing tokens, as a wedged native call would.
        WorkerProcessFactory workers = new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(tmp.resolve("logs"))
                .withEnvironment(Map.of(TestHooks.ENABLE, "1")));
        EngineRegistry engines = new EngineRegistry().register("llama.cpp", workers).register("onnx", workers);
        server = LocalServer.builder(config).engines(engines).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(120)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode model(String id) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (JsonNode m : Json.parse(body).get("models")) if (m.get("id").asText().equals(id)) return m;
        throw new AssertionError(id);
    }

    static String chat(String content, boolean stream) {
        return """
                {"model":"tiny","stream":%s,"stream_options":{"include_usage":true},"max_tokens":6,"temperature":0,
                 "messages":[{"role":"user","content":%s}]}""".formatted(stream, Json.string(content));
    }

    @Test
    void chatStreamsAndAnswersFromARealWorker() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chat("hello there", false));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Json.parse(r.body());
        assertThat(body.get("choices").get(0).get("message").get("content").asText()).isNotEmpty();
        int tokens = body.get("usage").get("completion_tokens").asInt();
        assertThat(tokens).isBetween(1, 6);

        HttpResponse<String> s = post("/v1/chat/completions", chat("hello there", true));
        assertThat(s.statusCode()).isEqualTo(200);
        List<String> events = ChatApiTest.events(s.body());
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        JsonNode usage = Json.parse(events.get(events.size() - 2).substring(6)).get("usage");
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(tokens); // temperature 0: same answer
        assertThat(model("tiny").get("state").asText()).isEqualTo("ready");
        assertThat(model("tiny").get("memory_bytes").asLong()).isPositive();
    }

    @Test
    void twoChatsRunAtOnceWithMaxConcurrencyTwo() throws Exception {
        CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> call(chat("first", true)), r -> Thread.ofVirtual().start(r));
        CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(() -> call(chat("second", false)), r -> Thread.ofVirtual().start(r));
        assertThat(a.get().statusCode()).as(a.get().body()).isEqualTo(200);
        assertThat(a.get().body()).endsWith("data: [DONE]\n\n");
        assertThat(b.get().statusCode()).as(b.get().body()).isEqualTo(200);
    }

    @Test
    void embeddingsFromTheBuiltInOnnxModel() throws Exception {
        HttpResponse<String> r = post("/v1/embeddings", "{\"model\":\"mini\",\"input\":[\"hello\",\"world\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode data = Json.parse(r.body()).get("data");
        assertThat(data).hasSize(2);
        assertThat(data.get(0).get("embedding")).hasSize(384);
    }

    @Test
    void aWedgedWorkerIsDetectedKilledAndReplaced() throws Exception {
        assertThat(post("/v1/chat/completions", chat("warm up", false)).statusCode()).isEqualTo(200);
        HttpResponse<String> stuck = post("/v1/chat/completions", chat(TestHooks.HANG_MARKER, false));
        assertError(stuck, 503, "api_error", "unavailable");
        assertThat(stuck.body()).contains("got stuck").contains("Retry");
        assertThat(model("tiny").get("state").asText()).isEqualTo("stuck");
        assertThat(model("tiny").get("reason").asText()).contains("worker was killed");

        HttpResponse<String> after = post("/v1/chat/completions", chat("after the hang", true));
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(after.body()).endsWith("data: [DONE]\n\n");
        assertThat(model("tiny").get("state").asText()).isIn("ready", "busy");
    }

    private static HttpResponse<String> call(String body) {
        try {
            return post("/v1/chat/completions", body);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
