package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active probes are on by default: a local provider answering like qwen-local's {@code /status} with a stuck model
 * is routed around (fallback to the external target), private work for it gets 503 no_private_route, and a ready
 * model on the same provider is still served.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProbeRoutingTest {
    private static final String KEY = "tg-probe-tester";

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aStuckLocalModelIsRoutedAroundAndPrivateWorkForItIsRefused() throws Exception {
        AtomicInteger localChats = new AtomicInteger();
        HttpServer qwen = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        qwen.createContext("/status", ex -> answer(ex, 200, """
                {"status":"degraded","models":[{"id":"q-ready","state":"ready"},
                 {"id":"q-stuck","state":"stuck","reason":"no token for 60s"}]}"""));
        qwen.createContext("/v1/chat/completions", ex -> {
            localChats.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            answer(ex, 200, """
                    {"id":"c","object":"chat.completion","created":1,"model":"q-ready","choices":[{"index":0,
                     "message":{"role":"assistant","content":"local answer"},"finish_reason":"stop"}],
                     "usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}""");
        });
        qwen.start();
        try (FakeOpenAiUpstream ext = FakeOpenAiUpstream.start()) {
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, """
                    listen: 127.0.0.1:0
                    health: {probe_interval: 1h}
                    providers:
                      local:
                        base_url: http://127.0.0.1:%d/v1
                        local: true
                      ext:
                        base_url: %s
                        health_check: off
                    models:
                      stuckboth:
                        targets: [local/q-stuck, ext/echo]
                        fallback: true
                      ready:
                        targets: [local/q-ready]
                    clients:
                      tester:
                        key: env:TG_KEY
                    """.formatted(qwen.getAddress().getPort(), ext.baseUrl()));
            try (GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0)
                    .env(Map.of("TG_KEY", KEY)).shutdownGrace(Duration.ofSeconds(2)))) {
                awaitProbed(gw);

                var routedAround = post(gw, "stuckboth", false);
                assertThat(routedAround.statusCode()).isEqualTo(200);
                assertThat(routedAround.body()).contains("echo: hi");
                assertThat(localChats.get()).isZero();

                var priv = post(gw, "stuckboth", true);
                assertThat(priv.statusCode()).isEqualTo(503);
                assertThat(Json.parse(priv.body()).path("error").path("code").asText()).isEqualTo("no_private_route");
                assertThat(ext.requests().stream().filter(r -> r.path().endsWith("/chat/completions")).count()).isEqualTo(1);

                var ready = post(gw, "ready", true);
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.body()).contains("local answer");
                assertThat(localChats.get()).isEqualTo(1);

                String audit = Files.readString(dir.resolve("audit.jsonl"));
                assertThat(audit).contains("local/q-stuck").contains("stuck").contains("no_private_route");
            }
        } finally {
            qwen.stop(0);
        }
    }

    /** The first probe runs at start, asynchronously: wait (bounded) until /status shows the local models. */
    private void awaitProbed(GatewayServer gw) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/admin/policy"))
                    .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode p : Json.parse(r.body()).path("providers")) {
                if (p.path("name").asText().equals("local") && p.path("models").size() == 2) return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("qwen-local's /status was never probed");
    }

    private HttpResponse<String> post(GatewayServer gw, String model, boolean privateHeader) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        if (privateHeader) b.header("X-Tailgate-Private", "true");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }
}
