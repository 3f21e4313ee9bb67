package dev.tailgate.local;

import static dev.tailgate.local.ChatApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.MutableClock;
import dev.tailgate.wire.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * qwen-local behind its internal key (every path but /health), the operator's unload endpoint, and what /status says
 * about keep-alive: the parts {@code tailgate ps} and {@code tailgate unload} stand on.
 */
@Timeout(60)
class OperatorEndpointsTest {
    static final String KEY = "tg-internal-test-key";

    @TempDir
    Path tmp;

    private static String yaml() throws Exception {
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)));
        return """
                api_key_sha256: %s
                models:
                  qwen:
                    capability: chat
                    engine: llama.cpp
                    file: qwen.gguf
                    keep_alive: 10m
                """.formatted(hash);
    }

    private static HttpResponse<String> send(Harness h, String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(h.uri(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("content-type", "application/json");
        if (key != null) b.header("authorization", "Bearer " + key);
        return h.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutTheInternalKeyEveryPathButHealthIs401InTheOpenAiShape() throws Exception {
        try (Harness h = Harness.start(tmp, yaml(), new FakeEngineFactory(), "qwen.gguf")) {
            for (String path : new String[] {"/v1/models", "/status", "/metrics", "/v1/audio/voices", "/nowhere"}) {
                assertError(send(h, "GET", path, null, null), 401, "invalid_request_error", "invalid_api_key");
                assertError(send(h, "GET", path, "tg-wrong", null), 401, "invalid_request_error", "invalid_api_key");
            }
            HttpResponse<String> chat = send(h, "POST", "/v1/chat/completions", null, Harness.chat("qwen", "tokens:2", false));
            assertError(chat, 401, "invalid_request_error", "invalid_api_key");
            assertThat(chat.body()).doesNotContain(KEY);
            assertError(send(h, "POST", "/admin/unload", null, "{\"model\":\"qwen\"}"), 401, "invalid_request_error", "invalid_api_key");
            assertThat(h.engines.loads.getOrDefault("qwen", new java.util.concurrent.atomic.AtomicInteger()).get()).isZero();

            assertThat(send(h, "GET", "/health", null, null).statusCode()).isEqualTo(200);
            assertThat(send(h, "GET", "/v1/models", KEY, null).statusCode()).isEqualTo(200);
            HttpResponse<String> ok = send(h, "POST", "/v1/chat/completions", KEY, Harness.chat("qwen", "tokens:2", false));
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        }
    }

    @Test
    void unloadFreesAnIdleModelRefusesABusyOneAndStatusCountsDownToKeepAlive() throws Exception {
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        FakeEngineFactory engines = new FakeEngineFactory().memory("qwen", 123_456);
        try (Harness h = Harness.start(tmp, yaml(), engines, clock, false, "qwen.gguf")) {
            JsonNode before = model(h);
            assertThat(before.get("state").asText()).isEqualTo("unloaded");
            assertThat(before.get("unload_in_ms").isNull()).isTrue();
            assertThat(before.get("keep_alive_ms").asLong()).isEqualTo(600_000);

            assertThat(send(h, "POST", "/v1/chat/completions", KEY, Harness.chat("qwen", "tokens:1", false)).statusCode()).isEqualTo(200);
            clock.advance(Duration.ofMinutes(4));
            JsonNode loaded = model(h);
            assertThat(loaded.get("state").asText()).isEqualTo("ready");
            assertThat(loaded.get("unload_in_ms").asLong()).isEqualTo(360_000);
            assertThat(loaded.get("memory_bytes").asLong()).isEqualTo(123_456);

            // busy: a held job keeps it loaded; the refusal may succeed later, so it carries Retry-After
            CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return send(h, "POST", "/v1/chat/completions", KEY, Harness.chat("qwen", "hold", false));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Harness.await("the held job runs", () -> model(h).get("in_flight").asInt() == 1);
            HttpResponse<String> busy = send(h, "POST", "/admin/unload", KEY, "{\"model\":\"qwen\"}");
            assertError(busy, 409, "invalid_request_error", "model_busy");
            assertThat(busy.headers().firstValue("retry-after")).isPresent();
            assertThat(model(h).get("unload_in_ms").isNull()).isTrue(); // busy: no countdown
            h.engines.release();
            assertThat(held.get().statusCode()).isEqualTo(200);

            HttpResponse<String> unloaded = send(h, "POST", "/admin/unload", KEY, "{\"model\":\"qwen\"}");
            assertThat(unloaded.statusCode()).as(unloaded.body()).isEqualTo(200);
            assertThat(Json.parse(unloaded.body()).get("unloaded").asBoolean()).isTrue();
            assertThat(Json.parse(unloaded.body()).get("was_loaded").asBoolean()).isTrue();
            JsonNode after = model(h);
            assertThat(after.get("state").asText()).isEqualTo("unloaded");
            assertThat(after.get("memory_bytes").asLong()).isZero();
            assertThat(Json.parse(send(h, "GET", "/status", KEY, null).body()).get("memory").get("used_bytes").asLong()).isZero();

            HttpResponse<String> again = send(h, "POST", "/admin/unload", KEY, "{\"model\":\"qwen\"}");
            assertThat(Json.parse(again.body()).get("was_loaded").asBoolean()).isFalse();
            assertError(send(h, "POST", "/admin/unload", KEY, "{\"model\":\"nope\"}"), 404, "invalid_request_error", "model_not_found");
            assertError(send(h, "POST", "/admin/unload", KEY, "{}"), 400, "invalid_request_error", null);
            assertError(send(h, "GET", "/admin/unload", KEY, null), 405, "invalid_request_error", null);
        }
    }

    private static JsonNode model(Harness h) throws Exception {
        return Json.parse(send(h, "GET", "/status", KEY, null).body()).get("models").get(0);
    }
}
