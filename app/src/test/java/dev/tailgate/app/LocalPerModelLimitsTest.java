package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.local.LocalServer;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 point 7, end to end: the real gateway in front of the real qwen-local, both on the configs {@code up} writes
 * (embedded chat model, a synthetic GGUF in its file's place). One long streaming chat holds the chat model while 30
 * parallel embedding batches go through: every one of them succeeds while the chat still streams, because the
 * gateway limits the local provider per upstream model and mirrors qwen-local's own limits from its /status.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LocalPerModelLimitsTest {
    private static final String KEY = "tg-per-model-limits-test-key";
    private static final String CHAT_MODEL = DefaultConfigs.ChatModel.EMBEDDED.id();
    private static final String EMBED_MODEL = "all-minilm-l6-v2";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path home;

    @Test
    void embeddingsNeverWaitBehindALongChat() throws Exception {
        Files.createDirectories(home.resolve("models"));
        // the synthetic model never emits end-of-turn: its answer always runs to max_tokens
        SyntheticGguf.tiny().contextLength(4096).type(GgmlType.Q8_0).seed(12)
                .write(home.resolve("models/qwen2.5-0.5b-instruct-q4_k_m.gguf"));
        int localPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            localPort = s.getLocalPort();
        }
        Files.writeString(home.resolve("local.yaml"), DefaultConfigs.localYaml(home)
                .replace("listen: 127.0.0.1:8081", "listen: 127.0.0.1:" + localPort));
        Files.writeString(home.resolve("gateway.yaml"), DefaultConfigs.gatewayYaml()
                .replace("listen: 127.0.0.1:8080", "listen: 127.0.0.1:0")
                .replace("http://127.0.0.1:8081/v1", "http://127.0.0.1:" + localPort + "/v1"));
        Files.writeString(home.resolve("clients.yaml"), "clients:\n  tester:\n    key_sha256: " + ClientKey.sha256Hex(KEY) + "\n    admin: true\n");

        try (LocalServer local = LocalServer.start(home.resolve("local.yaml"), null, null);
             GatewayServer gateway = GatewayServer.start(home.resolve("gateway.yaml"), null, null)) {
            String base = "http://127.0.0.1:" + gateway.port();
            // the gateway has read qwen-local's limits for the embeddings model: 1 running + 8 queued there
            JsonNode limits = awaitMirrored(base);
            assertThat(limits.path("max_concurrency").asInt()).isEqualTo(9);

            HttpResponse<InputStream> chat = HTTP.send(post(base, "/v1/chat/completions", """
                    {"model":"qwen","stream":true,"max_tokens":3000,"temperature":0.8,"seed":5,
                     "messages":[{"role":"user","content":"tell me a very long story"}]}"""), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(chat.statusCode()).isEqualTo(200);
            BufferedReader stream = new BufferedReader(new InputStreamReader(chat.body(), StandardCharsets.UTF_8));
            int chunks = 0;
            while (chunks < 3) { // the chat is streaming
                String line = stream.readLine();
                assertThat(line).as("stream ended early").isNotNull();
                if (line.startsWith("data: {")) chunks++;
            }

            List<CompletableFuture<HttpResponse<String>>> batches = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                StringBuilder inputs = new StringBuilder();
                for (int j = 0; j < 8; j++) inputs.append(j == 0 ? "" : ",").append("\"batch ").append(i).append(" text ").append(j).append('"');
                batches.add(HTTP.sendAsync(post(base, "/v1/embeddings", "{\"model\":\"embeddings\",\"input\":[" + inputs + "]}"),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < batches.size(); i++) {
                HttpResponse<String> r = batches.get(i).get(120, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as("batch " + i + ": " + r.body()).isEqualTo(200);
                assertThat(Json.parse(r.body()).path("data")).hasSize(8);
            }
            // ... while the chat still holds its model: it has not been read to the end yet
            JsonNode chatLimits = gatewayModelLimits(base, CHAT_MODEL);
            assertThat(chatLimits.path("in_flight").asInt()).as("the chat is still streaming").isEqualTo(1);

            String last = null;
            String finish = null;
            for (String line; (line = stream.readLine()) != null; ) {
                if (line.startsWith("data: ")) last = line;
                if (line.contains("\"finish_reason\":\"length\"")) finish = "length";
            }
            assertThat(last).isEqualTo("data: [DONE]");
            assertThat(finish).as("the chat ran to max_tokens").isEqualTo("length");
        }
    }

    private static JsonNode awaitMirrored(String base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            // a request creates the model's limiter; the probe (every few seconds) then sets its cap
            JsonNode l = gatewayModelLimits(base, EMBED_MODEL);
            if (l.path("max_concurrency").asInt() == 9 || System.nanoTime() > deadline) return l;
            HTTP.send(post(base, "/v1/embeddings", "{\"model\":\"embeddings\",\"input\":\"warm up\"}"), HttpResponse.BodyHandlers.discarding());
            Thread.sleep(200); // polling the gateway's probe of qwen-local, bounded by the deadline
        }
    }

    private static JsonNode gatewayModelLimits(String base, String model) throws Exception {
        HttpResponse<String> s = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/status")).timeout(Duration.ofSeconds(10))
                        .header("authorization", "Bearer " + KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode p : Json.parse(s.body()).path("providers")) {
            if (p.path("name").asText().equals("local")) return p.path("models").path(model);
        }
        throw new AssertionError("no local provider in /status: " + s.body());
    }

    private static HttpRequest post(String base, String path, String body) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .header("authorization", "Bearer " + KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
