package dev.tailgate.gateway.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.upstream.FakeExchange;
import dev.tailgate.wire.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 5 overload: 50 concurrent requests to a provider with {@code max_concurrency: 1, max_queue: 4}. The upstream
 * holds every request until the test releases it, one at a time. Expected: exactly 1 in flight + 4 queued (seen on
 * /status while it happens), the other 45 refused at once with 429 {@code queue_full} + Retry-After, the 5 admitted
 * ones complete 200 in turn, nothing hangs (the whole test is bounded by {@code @Timeout}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OverloadTest {
    static final String CONFIG = """
            listen: 127.0.0.1:0
            ledger: off
            audit_log: off
            providers:
              single:
                base_url: ${UP}
                local: true
                max_concurrency: 1
                max_queue: 4
                queue_timeout: 60s
                timeout: 60s
            models:
              held: {targets: [single/held]}
            clients:
              tester: {key: env:TG_KEY, admin: true}
            """;

    @Test
    void fiftyConcurrentRequestsGetOneInFlightFourQueuedAndFortyFive429sNoneHang() throws Exception {
        LinkedBlockingQueue<FakeExchange> held = new LinkedBlockingQueue<>();
        try (FaultGateway g = FaultGateway.start(CONFIG, Map.of(), o -> o.activeProbes(false))) {
            g.upstream.behaviour("held", held::add);
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(g.http.sendAsync(g.request("/v1/chat/completions").timeout(Duration.ofSeconds(90))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(FaultGateway.chat("held", false, "n" + i))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // the first request reaches the upstream and is held there
            FakeExchange first = held.poll(30, TimeUnit.SECONDS);
            assertThat(first).as("one request reached the upstream").isNotNull();
            // wait (bounded) until the 45 refusals are in: then the queue is exactly full
            long refused = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                refused = all.stream().filter(CompletableFuture::isDone).count();
                if (refused >= 45) break;
                Thread.sleep(20); // polling client futures, bounded by the deadline
            }
            assertThat(refused).as("requests answered while the first is held").isEqualTo(45);
            JsonNode single = provider(g, "single");
            assertThat(single.get("in_flight").asInt()).isEqualTo(1);
            assertThat(single.get("queued").asInt()).isEqualTo(4);
            assertThat(held).as("nothing else reached the upstream").isEmpty();

            // release stepwise: each release lets exactly the next queued request through
            FakeExchange next = first;
            for (int step = 0; step < 5; step++) {
                FakeExchange ex = next;
                ex.later(0, () -> ex.json(200, ex.completion("done " + ex.lastUserText())));
                next = step < 4 ? held.poll(30, TimeUnit.SECONDS) : null;
                if (step < 4) {
                    assertThat(next).as("queued request " + (step + 1) + " reached the upstream").isNotNull();
                    JsonNode p = provider(g, "single");
                    assertThat(p.get("in_flight").asInt()).isEqualTo(1);
                    assertThat(p.get("queued").asInt()).isEqualTo(3 - step);
                }
            }

            int ok = 0, full = 0;
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    ok++;
                    assertThat(Json.parse(r.body()).at("/choices/0/message/content").asText()).startsWith("done n");
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                    assertThat(r.headers().firstValue("Retry-After")).as("429 carries Retry-After").isPresent();
                    assertThat(Json.parse(r.body()).at("/error/code").asText()).isEqualTo("queue_full");
                    full++;
                }
            }
            assertThat(ok).isEqualTo(5);
            assertThat(full).isEqualTo(45);
            JsonNode after = provider(g, "single");
            assertThat(after.get("in_flight").asInt()).isZero();
            assertThat(after.get("queued").asInt()).isZero();
        }
    }

    @Test
    void queuedRequestsThatWaitLongerThanQueueTimeoutGet429WithRetryAfterNotAHang() throws Exception {
        LinkedBlockingQueue<FakeExchange> held = new LinkedBlockingQueue<>();
        String config = CONFIG.replace("queue_timeout: 60s", "queue_timeout: 1s");
        try (FaultGateway g = FaultGateway.start(config, Map.of(), o -> o.activeProbes(false))) {
            g.upstream.behaviour("held", held::add);
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                all.add(g.http.sendAsync(g.request("/v1/chat/completions").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(FaultGateway.chat("held", i % 2 == 0, "n" + i))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            FakeExchange holder = held.poll(30, TimeUnit.SECONDS);
            assertThat(holder).isNotNull();
            // the slot stays taken: 5 are refused at once, the 4 queued give up after queue_timeout; all 9 say when to retry
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (all.stream().filter(CompletableFuture::isDone).count() < 9 && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling client futures, bounded by the deadline
            }
            int refused = 0;
            CompletableFuture<HttpResponse<String>> holderResponse = null;
            for (CompletableFuture<HttpResponse<String>> f : all) {
                if (!f.isDone()) {
                    assertThat(holderResponse).as("only the request holding the slot is still open").isNull();
                    holderResponse = f;
                    continue;
                }
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                assertThat(Json.parse(r.body()).at("/error/code").asText()).isEqualTo("queue_full");
                refused++;
            }
            assertThat(refused).isEqualTo(9);
            assertThat(held).as("no queued request reached the upstream after giving up").isEmpty();
            FakeExchange h = holder;
            h.later(0, () -> {
                if (h.streamRequested()) h.streamChunks(h.chunks("done"), 0);
                else h.json(200, h.completion("done"));
            });
            assertThat(holderResponse).isNotNull();
            assertThat(holderResponse.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            JsonNode after = provider(g, "single");
            assertThat(after.get("in_flight").asInt()).isZero();
            assertThat(after.get("queued").asInt()).isZero();
        }
    }

    private static JsonNode provider(FaultGateway g, String name) {
        for (JsonNode p : Json.parse(g.get("/status").body()).get("providers")) {
            if (p.get("name").asText().equals(name)) return p;
        }
        throw new AssertionError("no provider " + name + " in /status");
    }
}
