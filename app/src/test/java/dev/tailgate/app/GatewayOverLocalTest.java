package dev.tailgate.app;

import dev.tailgate.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.local.EngineRegistry;
import dev.tailgate.local.LocalServer;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.local.engine.llama.TestHooks;
import dev.tailgate.local.engine.worker.WorkerProcessFactory;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.testing.whisper.SyntheticWhisperModel;
import dev.tailgate.wire.Json;
import dev.tailgate.testing.NodeClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway in front of a real qwen-local (production worker engines: llama.cpp on a synthetic qwen2 GGUF, the
 * built-in ONNX embeddings model), both started the way the launcher starts them — from config files — on 127.0.0.1.
 * Clients talk to the gateway with aliases; qwen-local only knows its own model ids, so every answer proves the alias
 * was rewritten on the way in, and the {@code model} field proves it was rewritten back.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GatewayOverLocalTest {
    static final String KEY = "tg-over-local-test-key";

    @TempDir
    static Path tmp;
    static LocalServer local;
    static GatewayServer gateway;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SyntheticGguf.tiny().type(GgmlType.F16).seed(3).write(models.resolve("tiny-qwen2.gguf"));
        SyntheticWhisperModel.tiny().seed(9).write(models.resolve("ggml-synthetic.bin"));
        Path localYaml = tmp.resolve("local.yaml");
        Files.writeString(localYaml, """
                listen: 127.0.0.1:8081
                models_dir: %s
                memory_budget: 4GiB
                shutdown_grace: 2s
                models:
                  tiny-qwen2:
                    capability: chat
                    engine: llama.cpp
                    file: tiny-qwen2.gguf
                    context: 4096
                    threads: 1
                    max_concurrency: 2
                  absent-qwen:
                    capability: chat
                    engine: llama.cpp
                    file: absent-qwen.gguf
                    source: hf://Example/Absent-GGUF/absent-qwen.gguf
                  minilm:
                    capability: embeddings
                    engine: onnx
                  espeak:
                    capability: speech
                    engine: espeak-ng
                  whisper:
                    capability: transcription
                    engine: whisper.cpp
                    file: ggml-synthetic.bin
                    threads: 1
                """.formatted(models));
        local = LocalServer.start(localYaml, "127.0.0.1", 0);

        Path gatewayYaml = tmp.resolve("gateway.yaml");
        Files.writeString(gatewayYaml, """
                listen: 127.0.0.1:8080
                providers:
                  local:
                    base_url: http://127.0.0.1:%d/v1
                    local: true
                    max_concurrency: 2
                    max_queue: 8
                    timeout: 120s
                models:
                  qwen:
                    targets: [local/tiny-qwen2]
                  embed:
                    targets: [local/minilm]
                  gone:
                    targets: [local/absent-qwen]
                  tts:
                    targets: [local/espeak]
                  stt:
                    targets: [local/whisper]
                clients:
                  tester:
                    key_sha256: %s
                    admin: true
                """.formatted(local.port(), HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)))));
        gateway = GatewayServer.start(gatewayYaml, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
        if (local != null) local.close();
    }

    static String base() {
        return "http://127.0.0.1:" + gateway.port();
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(120))
                .header("authorization", "Bearer " + KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static ObjectNode chat(String model, String content) {
        ObjectNode root = Json.object();
        root.put("model", model);
        root.putArray("messages").addObject().put("role", "user").put("content", content);
        return root;
    }

    @Test
    void chatStreamAndNonStreamThroughTheGatewayWithTheAliasRewrittenBothWays() throws Exception {
        ObjectNode body = chat("qwen", "tell me a story").put("max_tokens", 20).put("temperature", 0.9).put("seed", 99);
        HttpResponse<String> r = post("/v1/chat/completions", Json.string(body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = Json.parse(r.body());
        assertThat(answer.get("model").asText()).isEqualTo("qwen");
        String text = answer.get("choices").get(0).get("message").get("content").asText();
        assertThat(text).isNotEmpty();
        assertThat(answer.get("usage").get("completion_tokens").asInt()).isBetween(1, 20);

        ObjectNode streamed = body.deepCopy().put("stream", true);
        streamed.putObject("stream_options").put("include_usage", true);
        HttpResponse<String> s = post("/v1/chat/completions", Json.string(streamed));
        assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
        assertThat(s.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        StringBuilder deltas = new StringBuilder();
        JsonNode usage = null;
        String finish = null;
        boolean done = false;
        int chunks = 0;
        for (String event : s.body().split("\n\n")) {
            if (event.isBlank()) continue;
            String data = event.strip();
            assertThat(data).startsWith("data: ");
            data = data.substring(6);
            if (data.equals("[DONE]")) {
                done = true;
                continue;
            }
            JsonNode chunk = Json.parse(data);
            assertThat(chunk.has("error")).as(data).isFalse();
            assertThat(chunk.get("model").asText()).as("every chunk carries the alias").isEqualTo("qwen");
            chunks++;
            if (chunk.hasNonNull("usage")) usage = chunk.get("usage");
            for (JsonNode c : chunk.get("choices")) {
                if (c.path("delta").path("content").isTextual()) deltas.append(c.path("delta").path("content").asText());
                if (c.hasNonNull("finish_reason")) finish = c.get("finish_reason").asText();
            }
        }
        assertThat(done).isTrue();
        assertThat(chunks).isGreaterThan(2);
        assertThat(deltas.toString()).as("same seed, same text").isEqualTo(text);
        assertThat(finish).isEqualTo(answer.get("choices").get(0).get("finish_reason").asText());
        assertThat(usage).isNotNull();
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(answer.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void responsesApiIsBridgedToRealChatCompletions() throws Exception {
        HttpResponse<String> r = post("/v1/responses",
                "{\"model\":\"qwen\",\"input\":\"hello\",\"max_output_tokens\":8,\"temperature\":0}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = Json.parse(r.body());
        assertThat(answer.get("object").asText()).isEqualTo("response");
        assertThat(answer.get("model").asText()).isEqualTo("qwen");
        assertThat(answer.get("status").asText()).isIn("completed", "incomplete");
        String text = answer.get("output").get(0).get("content").get(0).get("text").asText();
        assertThat(text).isNotEmpty();

        HttpResponse<String> s = post("/v1/responses",
                "{\"model\":\"qwen\",\"input\":\"hello\",\"max_output_tokens\":8,\"temperature\":0,\"stream\":true}");
        assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
        assertThat(s.body()).contains("event: response.created").doesNotContain("event: response.failed")
                .containsPattern("event: response\\.(completed|incomplete)");
        StringBuilder deltas = new StringBuilder();
        for (String event : s.body().split("\n\n")) {
            if (!event.contains("event: response.output_text.delta")) continue;
            deltas.append(Json.parse(event.substring(event.indexOf("data: ") + 6).strip()).get("delta").asText());
        }
        assertThat(deltas.toString()).as("greedy: the streamed text is the non-streamed text").isEqualTo(text);
    }

    @Test
    void anthropicMessagesAreBridgedToRealQwenLocal() throws Exception {
        String request = "{\"model\":\"qwen\",\"max_tokens\":8,\"temperature\":0,\"system\":[{\"type\":\"text\",\"text\":\"Be brief.\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/v1/messages?beta=true")).timeout(Duration.ofSeconds(120))
                .header("x-api-key", KEY).header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode message = Json.parse(r.body());
        assertThat(message.get("type").asText()).isEqualTo("message");
        assertThat(message.get("model").asText()).isEqualTo("qwen");
        assertThat(message.get("stop_reason").asText()).isIn("end_turn", "max_tokens");
        String text = message.get("content").get(0).get("text").asText();
        assertThat(text).isNotEmpty();
        assertThat(message.get("usage").get("output_tokens").asInt()).isBetween(1, 8);

        HttpResponse<String> s = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/v1/messages")).timeout(Duration.ofSeconds(120))
                .header("x-api-key", KEY).header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.replace("{\"model\"", "{\"stream\":true,\"model\""))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
        StringBuilder streamed = new StringBuilder();
        java.util.List<String> types = new java.util.ArrayList<>();
        for (String frame : s.body().split("\n\n")) {
            if (frame.isBlank()) continue;
            JsonNode data = Json.parse(frame.substring(frame.indexOf("data: ") + 6));
            types.add(data.get("type").asText());
            if (data.path("delta").path("type").asText().equals("text_delta")) streamed.append(data.get("delta").get("text").asText());
        }
        assertThat(types.getFirst()).isEqualTo("message_start");
        assertThat(types.getLast()).as(s.body()).isEqualTo("message_stop");
        assertThat(streamed.toString()).as("greedy decoding: the same text both ways").isEqualTo(text);
    }

    @Test
    void embeddingsThroughTheGatewayFloatAndBase64Agree() throws Exception {
        HttpResponse<String> f = post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[\"cat\",\"kitten\",\"car\"]}");
        assertThat(f.statusCode()).as(f.body()).isEqualTo(200);
        JsonNode fa = Json.parse(f.body());
        assertThat(fa.get("model").asText()).isEqualTo("embed");
        JsonNode floats = fa.get("data");
        assertThat(floats).hasSize(3);
        assertThat(floats.get(0).get("embedding")).hasSize(384);
        assertThat(cosine(floats.get(0).get("embedding"), floats.get(1).get("embedding")))
                .isGreaterThan(cosine(floats.get(0).get("embedding"), floats.get(2).get("embedding")));

        HttpResponse<String> b = post("/v1/embeddings",
                "{\"model\":\"embed\",\"input\":[\"cat\",\"kitten\",\"car\"],\"encoding_format\":\"base64\"}");
        assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
        JsonNode data = Json.parse(b.body()).get("data");
        for (int i = 0; i < 3; i++) {
            ByteBuffer le = ByteBuffer.wrap(Base64.getDecoder().decode(data.get(i).get("embedding").asText()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            assertThat(le.remaining()).isEqualTo(384 * 4);
            for (int k = 0; k < 384; k++) {
                assertThat(le.getFloat()).isEqualTo((float) floats.get(i).get("embedding").get(k).asDouble());
            }
        }
    }

    @Test
    void aLocalModelWhoseFileIsMissingIs503ModelUnavailableNamingThePullCommandWithoutRetryAfter() throws Exception {
        for (boolean stream : new boolean[] {false, true}) {
            ObjectNode body = chat("gone", "hello").put("max_tokens", 3);
            if (stream) body.put("stream", true);
            HttpResponse<String> r = post("/v1/chat/completions", Json.string(body));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
            JsonNode err = Json.parse(r.body()).get("error");
            assertThat(err.get("code").asText()).isEqualTo("model_unavailable");
            assertThat(err.get("type").asText()).isEqualTo("api_error");
            assertThat(err.get("message").asText())
                    .contains("tailgate models pull absent-qwen");
            // the operator must act: no Retry-After, and SDKs are told not to retry
            assertThat(r.headers().firstValue("retry-after")).isEmpty();
            assertThat(r.headers().firstValue("x-should-retry")).contains("false");
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        // the gateway and the other local models are unaffected
        assertThat(post("/v1/chat/completions", Json.string(chat("qwen", "still fine?").put("max_tokens", 2))).statusCode())
                .isEqualTo(200);
    }

    /**
     * Regression: qwen-local's per-model refusals (here: a model whose file is missing) once counted as failures of
     * the whole {@code local} provider, so a few requests for one missing model opened its breaker and every private
     * request for every other local model got 503 {@code no_private_route}.
     */
    @Test
    void aMissingLocalModelDoesNotTripTheLocalProvidersBreaker() throws Exception {
        for (int i = 0; i < 8; i++) { // more than the breaker's default consecutive_failures (5)
            assertThat(post("/v1/chat/completions", Json.string(chat("gone", "hello").put("max_tokens", 2))).statusCode())
                    .isEqualTo(503);
        }
        HttpResponse<String> status = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/status"))
                .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode provider = null;
        for (JsonNode p : Json.parse(status.body()).get("providers")) if (p.get("name").asText().equals("local")) provider = p;
        assertThat(provider).as(status.body()).isNotNull();
        assertThat(provider.get("state").asText()).as(status.body()).isNotIn("open", "down");

        HttpResponse<String> privateChat = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120)).header("authorization", "Bearer " + KEY)
                .header("content-type", "application/json").header("X-Tailgate-Private", "true")
                .POST(HttpRequest.BodyPublishers.ofString(Json.string(chat("qwen", "private work").put("max_tokens", 2))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(privateChat.statusCode()).as(privateChat.body()).isEqualTo(200);
    }

    /**
     * qwen-local's refusals reach the client as refusals: its 429 {@code queue_full} stays a 429 and a job killed by
     * its stuck watchdog stays a 503 {@code unavailable}, both with Retry-After (not a 502 "upstream error"). A wedged
     * worker (test hook) holds qwen-local's only slot; the watchdog runs on a clock the test moves.
     */
    @Test
    void qwenLocalRefusalsKeepTheirStatusAndRetryAfterThroughTheGateway(@TempDir Path dir) throws Exception {
        SyntheticGguf.tiny().type(GgmlType.Q8_0).seed(5).write(dir.resolve("one.gguf"));
        LocalConfig config = new ConfigLoader(LocalServer.ENGINES).parse("""
                listen: 127.0.0.1:0
                models_dir: %s
                shutdown_grace: 2s
                models:
                  one:
                    capability: chat
                    engine: llama.cpp
                    file: one.gguf
                    context: 512
                    threads: 1
                    max_concurrency: 1
                    max_queue: 0
                    stuck_after: 2s
                """.formatted(dir), dir);
        WorkerProcessFactory hooked = new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(dir.resolve("logs"))
                .withEnvironment(Map.of(TestHooks.ENABLE, "1")));
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        Path gatewayYaml = dir.resolve("gateway.yaml");
        try (LocalServer one = LocalServer.builder(config).engines(new EngineRegistry().register("llama.cpp", hooked))
                .clock(clock).autoTick(false).start()) {
            Files.writeString(gatewayYaml, """
                    listen: 127.0.0.1:0
                    providers:
                      local:
                        base_url: http://127.0.0.1:%d/v1
                        local: true
                        max_concurrency: 4
                        timeout: 120s
                    models:
                      solo:
                        targets: [local/one]
                    clients:
                      tester:
                        key_sha256: %s
                    """.formatted(one.port(), HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)))));
            try (GatewayServer gw = GatewayServer.start(gatewayYaml, "127.0.0.1", 0)) {
                String base = "http://127.0.0.1:" + gw.port();
                CompletableFuture<HttpResponse<String>> wedged = HTTP.sendAsync(request(base,
                        Json.string(chat("solo", "hold " + TestHooks.HANG_MARKER).put("max_tokens", 50))),
                        HttpResponse.BodyHandlers.ofString());
                await(() -> inFlight(one, "one") == 1);

                HttpResponse<String> full = HTTP.send(request(base, Json.string(chat("solo", "me too").put("max_tokens", 2))),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(full.statusCode()).as(full.body()).isEqualTo(429);
                assertThat(Json.parse(full.body()).get("error").get("code").asText()).isEqualTo("queue_full");
                assertThat(full.headers().firstValue("retry-after")).isPresent();
                assertThat(wedged).isNotDone();

                clock.advance(Duration.ofSeconds(3));
                one.scheduler().tick();
                HttpResponse<String> stuck = wedged.get(60, TimeUnit.SECONDS);
                assertThat(stuck.statusCode()).as(stuck.body()).isEqualTo(503);
                JsonNode err = Json.parse(stuck.body()).get("error");
                assertThat(err.get("code").asText()).isEqualTo("unavailable");
                assertThat(err.get("message").asText()).contains("stuck");
                assertThat(stuck.headers().firstValue("retry-after")).isPresent();

                // the gateway honours qwen-local's Retry-After for that model: until it has passed, the refusal is the
                // gateway's own, with the pause that is left; then the model serves again (the watchdog replaced its worker)
                long retryAfter = Long.parseLong(stuck.headers().firstValue("retry-after").orElseThrow());
                HttpResponse<String> paused = HTTP.send(request(base, Json.string(chat("solo", "too soon").put("max_tokens", 2))),
                        HttpResponse.BodyHandlers.ofString());
                if (paused.statusCode() == 503) {
                    assertThat(Long.parseLong(paused.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, retryAfter);
                    assertThat(paused.body()).contains("paused by the provider's Retry-After");
                }
                HttpResponse<String>[] after = new HttpResponse[1];
                await(() -> (after[0] = HTTP.send(request(base, Json.string(chat("solo", "again").put("max_tokens", 2))),
                        HttpResponse.BodyHandlers.ofString())).statusCode() == 200);
                assertThat(Json.parse(after[0].body()).get("model").asText()).isEqualTo("solo");
            }
        }
    }

    static HttpRequest request(String base, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions")).timeout(Duration.ofSeconds(120))
                .header("authorization", "Bearer " + KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static int inFlight(LocalServer s, String model) throws Exception {
        JsonNode status = Json.parse(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/status"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode m : status.get("models")) if (m.get("id").asText().equals(model)) return m.get("in_flight").asInt();
        throw new AssertionError(model + " not in /status");
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls (bounded: the machine may be busy) until the condition holds. */
    static void await(Condition c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!c.holds()) {
            assertThat(System.nanoTime()).as("condition within 90s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void officialNodeSdkAgainstTheGatewayInFrontOfRealQwenLocal() throws Exception {
        Path clients = NodeClients.requireOpenAiSdk();
        ProcessBuilder pb = new ProcessBuilder("node", "conformance-real.mjs").directory(clients.toFile()).redirectErrorStream(true);
        pb.environment().put("BASE_URL", base() + "/v1");
        pb.environment().put("API_KEY", KEY);
        pb.environment().put("CHAT_MODEL", "qwen");
        pb.environment().put("EMBED_MODEL", "embed");
        pb.environment().put("UNAVAILABLE_MODEL", "gone");
        Process p = pb.start();
        p.getOutputStream().close();
        // read on another thread so a wedged node cannot hold the test past its bounded wait
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "unreadable output: " + e;
            }
        });
        boolean finished = p.waitFor(180, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        String text = out.get(10, TimeUnit.SECONDS);
        System.out.println(text);
        assertThat(finished).as("node finished: %s", text).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("conformance-real: 8 passed, 0 failed");
    }

    /**
     * clients/audio.mjs through the gateway: the alias "tts" reaches qwen-local's espeak-ng model, "stt" its whisper.cpp
     * model (on a synthetic ggml Whisper file) in every transcription response_format.
     */
    @Test
    void officialNodeSdkSpeechAndTranscriptionThroughTheGateway() throws Exception {
        Path clients = NodeClients.requireOpenAiSdk();
        ProcessBuilder pb = new ProcessBuilder("node", "audio.mjs").directory(clients.toFile()).redirectErrorStream(true);
        pb.environment().put("BASE_URL", base() + "/v1");
        pb.environment().put("API_KEY", KEY);
        pb.environment().put("SPEECH_MODEL", "tts");
        pb.environment().put("TRANSCRIBE_MODEL", "stt");
        Process p = pb.start();
        p.getOutputStream().close();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "unreadable output: " + e;
            }
        });
        boolean finished = p.waitFor(180, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        String text = out.get(10, TimeUnit.SECONDS);
        assertThat(finished).as("node finished: %s", text).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("audio: 13 passed, 0 failed");
    }

    private static double cosine(JsonNode a, JsonNode b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.size(); i++) {
            double x = a.get(i).asDouble(), y = b.get(i).asDouble();
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return dot / Math.sqrt(na * nb);
    }
}
