package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsTest {

    private static JsonNode provider(Harness h, String name) {
        for (JsonNode p : Json.parse(h.get("/status").body()).get("providers")) if (p.get("name").asText().equals(name)) return p;
        throw new AssertionError("no provider " + name);
    }

    @Test
    void beyondMaxConcurrencyRequestsQueueAndBeyondTheQueueThey429WithRetryAfter() throws Exception {
        try (Harness h = Harness.start()) {
            // provider "fake": max_concurrency 4, max_queue 2; "gated" holds every stream until the gate opens
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                held.add(h.http.sendAsync(h.request("/v1/chat/completions").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gated", true, "x"))).build(), HttpResponse.BodyHandlers.ofString()));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            JsonNode p;
            do {
                p = provider(h, "fake");
                if (p.get("in_flight").asInt() == 4 && p.get("queued").asInt() == 2) break;
                Thread.sleep(20); // polling /status until the six are admitted or queued, bounded by the deadline
            } while (System.nanoTime() < deadline);
            assertThat(p.get("in_flight").asInt()).isEqualTo(4);
            assertThat(p.get("queued").asInt()).isEqualTo(2);

            HttpResponse<String> refused = h.post("/v1/chat/completions", Harness.chat("gated", true, "x"));
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(Json.parse(refused.body()).at("/error/code").asText()).isEqualTo("queue_full");

            h.upstream.gate("gated-stream").complete(null);
            for (var f : held) {
                HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("data: [DONE]");
            }
            assertThat(provider(h, "fake").get("in_flight").asInt()).isZero();
        }
    }
}
