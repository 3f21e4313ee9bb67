package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.testing.MutableClock;
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
                        admin: true
                    """.formatted(qwen.getAddress().getPort(), ext.baseUrl()));
            try (GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0)
                    .env(Map.of("TG_KEY", KEY)).shutdownGrace(Duration.ofSeconds(2)))) {
                awaitProbed(gw);

                // the admin views show qwen-local as the probe saw it (the status page's qwen-local section)
                var status = Json.parse(adminGet(gw, "/status"));
                assertThat(status.path("local").path("local").path("models").findValuesAsText("state")).containsExactly("ready", "stuck");
                assertThat(adminGet(gw, "/ui/part/local")).contains("data-local-model=\"q-stuck\"").contains("no token for 60s")
                        .contains("state-stuck");

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

    /**
     * The last probe said a local model's file is missing (or did not list the model), but qwen-local is the authority:
     * the request is sent to it (after any other target) instead of being refused until the next probe. A model pulled
     * since is served at once; a model still missing gets qwen-local's own answer — 503 model_unavailable without
     * Retry-After and with x-should-retry: false, since only the operator can fix it.
     */
    @Test
    void aLocalModelTheProbeSawMissingIsReCheckedByQwenLocalWhenRequested() throws Exception {
        AtomicInteger pulledChats = new AtomicInteger();
        HttpServer qwen = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        qwen.createContext("/status", ex -> answer(ex, 200, """
                {"status":"degraded","models":[{"id":"q-ready","state":"ready"},
                 {"id":"q-pulled","state":"unavailable","reason":"run ./tailgate models pull q-pulled"},
                 {"id":"q-gone","state":"unavailable","reason":"run ./tailgate models pull q-gone"}]}"""));
        qwen.createContext("/v1/chat/completions", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (body.contains("q-gone")) {
                ex.getResponseHeaders().add("x-should-retry", "false");
                answer(ex, 503, """
                        {"error":{"message":"Model 'q-gone' is unavailable: run ./tailgate models pull q-gone",
                         "type":"api_error","param":null,"code":"model_unavailable"}}""");
                return;
            }
            pulledChats.incrementAndGet();
            answer(ex, 200, """
                    {"id":"c","object":"chat.completion","created":1,"model":"q-pulled","choices":[{"index":0,
                     "message":{"role":"assistant","content":"freshly pulled"},"finish_reason":"stop"}]}""");
        });
        qwen.start();
        try {
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, """
                    listen: 127.0.0.1:0
                    health: {probe_interval: 1h}
                    providers:
                      local:
                        base_url: http://127.0.0.1:%d/v1
                        local: true
                    models:
                      pulled:
                        targets: [local/q-pulled]
                      gone:
                        targets: [local/q-gone]
                      unlisted:
                        targets: [local/q-unlisted]
                    clients:
                      tester:
                        key: env:TG_KEY
                        admin: true
                    """.formatted(qwen.getAddress().getPort()));
            try (GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0)
                    .env(Map.of("TG_KEY", KEY)).shutdownGrace(Duration.ofSeconds(2)))) {
                awaitProbed(gw, 3);

                var pulled = post(gw, "pulled", true);
                assertThat(pulled.statusCode()).as(pulled.body()).isEqualTo(200);
                assertThat(pulled.body()).contains("freshly pulled");

                var unlisted = post(gw, "unlisted", false);
                assertThat(unlisted.statusCode()).as("qwen-local was asked, not the stale probe").isEqualTo(200);
                assertThat(pulledChats.get()).isEqualTo(2);

                for (boolean priv : new boolean[] {false, true}) {
                    var gone = post(gw, "gone", priv);
                    assertThat(gone.statusCode()).as(gone.body()).isEqualTo(503);
                    assertThat(Json.parse(gone.body()).path("error").path("code").asText())
                            .isEqualTo(priv ? "no_private_route" : "model_unavailable");
                    assertThat(Json.parse(gone.body()).path("error").path("message").asText()).contains("models pull q-gone");
                    assertThat(gone.headers().firstValue("Retry-After")).isEmpty();
                    assertThat(gone.headers().firstValue("x-should-retry")).contains("false");
                }
            }
        } finally {
            qwen.stop(0);
        }
    }

    /**
     * qwen-local reports a model as {@code downloading} (first run: {@code up} is fetching its file): not routable now
     * but temporary — a private request is refused with Retry-After and without x-should-retry: false, and is never sent
     * to the external target; a non-private one with fallback goes to the external target meanwhile. A model the probe
     * still saw as unavailable is asked, and qwen-local's own 503 model_downloading reaches the client with its Retry-After.
     */
    @Test
    void aDownloadingLocalModelIsRefusedWithRetryAfterAndPrivateWorkStaysLocal() throws Exception {
        AtomicInteger localChats = new AtomicInteger();
        HttpServer qwen = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        qwen.createContext("/status", ex -> answer(ex, 200, """
                {"status":"unavailable","models":[{"id":"q-dl","state":"downloading",
                 "reason":"downloading q.gguf (41%, about 12 s left); it serves once the file is complete",
                 "download":{"file":"q.gguf","percent":41,"bytes":41,"total_bytes":100,"bytes_per_second":3,"eta_seconds":12}},
                 {"id":"q-long","state":"downloading","reason":"downloading big.gguf (1%)",
                  "download":{"file":"big.gguf","percent":1,"bytes":1,"total_bytes":100,"bytes_per_second":1,"eta_seconds":600}},
                 {"id":"q-rate","state":"downloading","reason":"downloading r.gguf (0%)",
                  "download":{"file":"r.gguf","percent":0,"bytes":0,"total_bytes":100,"bytes_per_second":0,"eta_seconds":null}},
                 {"id":"q-stale","state":"unavailable","reason":"run ./tailgate models pull q-stale"}]}"""));
        qwen.createContext("/v1/chat/completions", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (body.contains("q-stale")) { // the download started after the probe
                ex.getResponseHeaders().add("Retry-After", "12");
                answer(ex, 503, """
                        {"error":{"message":"Model 'q-stale' is downloading q.gguf (41%, about 12 s left). Retry later.",
                         "type":"api_error","param":"model","code":"model_downloading"}}""");
                return;
            }
            localChats.incrementAndGet();
            answer(ex, 500, "{}");
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
                      dl:
                        targets: [local/q-dl, ext/echo]
                        fallback: true
                      dlonly:
                        targets: [local/q-dl]
                      long:
                        targets: [local/q-long]
                      rate:
                        targets: [local/q-rate]
                      stale:
                        targets: [local/q-stale]
                    clients:
                      tester:
                        key: env:TG_KEY
                        admin: true
                    """.formatted(qwen.getAddress().getPort(), ext.baseUrl()));
            MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z"); // the ETA's age is the gateway clock's, moved by hand
            try (GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0).clock(clock)
                    .env(Map.of("TG_KEY", KEY)).shutdownGrace(Duration.ofSeconds(2)))) {
                awaitProbed(gw, 4);
                // the status page shows the download's progress as the probe saw it
                assertThat(adminGet(gw, "/ui/part/local")).contains("<progress max=\"100\" value=\"41\"></progress> 41%, 12 s left");

                var priv = post(gw, "dl", true);
                assertThat(priv.statusCode()).as(priv.body()).isEqualTo(503);
                JsonNode error = Json.parse(priv.body()).path("error");
                assertThat(error.path("code").asText()).isEqualTo("no_private_route");
                assertThat(error.path("message").asText()).contains("downloading q.gguf (41%");
                assertThat(priv.headers().firstValue("Retry-After")).isPresent();
                assertThat(priv.headers().firstValue("x-should-retry")).isEmpty();
                assertThat(ext.requests().stream().filter(r -> r.path().endsWith("/chat/completions")).count()).isZero();

                // Retry-After is qwen-local's ETA from the probe (12 s), not a fixed default
                assertThat(priv.headers().firstValue("Retry-After")).hasValue("12");
                var only = post(gw, "dlonly", false);
                assertThat(only.statusCode()).as(only.body()).isEqualTo(503);
                assertThat(Json.parse(only.body()).path("error").path("code").asText()).isEqualTo("unavailable");
                assertThat(only.headers().firstValue("Retry-After")).hasValue("12");
                assertThat(only.headers().firstValue("x-should-retry")).isEmpty();
                // ... less the time since the probe; capped at 60 s; the 5 s default only while qwen-local has no ETA
                clock.advance(Duration.ofSeconds(5));
                assertThat(post(gw, "dlonly", false).headers().firstValue("Retry-After")).hasValue("7");
                clock.advance(Duration.ofSeconds(30));
                assertThat(post(gw, "dlonly", false).headers().firstValue("Retry-After")).as("an ETA that passed: 1 s").hasValue("1");
                var longer = post(gw, "long", false);
                assertThat(longer.statusCode()).as(longer.body()).isEqualTo(503);
                assertThat(longer.headers().firstValue("Retry-After")).hasValue("60");
                assertThat(post(gw, "rate", false).headers().firstValue("Retry-After")).hasValue("5");

                var fallback = post(gw, "dl", false);
                assertThat(fallback.statusCode()).as(fallback.body()).isEqualTo(200);
                assertThat(fallback.body()).contains("echo: hi");
                assertThat(localChats.get()).as("qwen-local is not sent work for a downloading model").isZero();

                var stale = post(gw, "stale", false);
                assertThat(stale.statusCode()).as(stale.body()).isEqualTo(503);
                assertThat(Json.parse(stale.body()).path("error").path("code").asText()).isEqualTo("model_downloading");
                assertThat(Json.parse(stale.body()).path("error").path("message").asText()).contains("41%, about 12 s left");
                assertThat(stale.headers().firstValue("Retry-After")).hasValue("12");
                assertThat(stale.headers().firstValue("x-should-retry")).isEmpty();
            }
        } finally {
            qwen.stop(0);
        }
    }

    /** The first probe runs at start, asynchronously: wait (bounded) until /status shows the local models. */
    private String adminGet(GatewayServer gw, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitProbed(GatewayServer gw) throws Exception {
        awaitProbed(gw, 2);
    }

    private void awaitProbed(GatewayServer gw, int models) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/admin/policy"))
                    .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode p : Json.parse(r.body()).path("providers")) {
                if (p.path("name").asText().equals("local") && p.path("models").size() == models) return;
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
