package dev.tailgate.local;

import dev.tailgate.testing.MutableClock;
import static dev.tailgate.local.ChatApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Queue bounds, cancellation, lazy loading, the memory budget and keep-alive — through real HTTP. */
@Timeout(60)
class SchedulingTest {
    @TempDir
    Path tmp;

    private static final String ONE_SLOT_TWO_QUEUE = """
            models:
              chat:
                capability: chat
                engine: llama.cpp
                file: chat.gguf
                max_concurrency: 1
                max_queue: 2
            """;

    @Test
    void eightStreamsOnOneSlotAndTwoQueuePlacesThreeRunOrWaitFiveGet429() throws Exception {
        try (Harness h = Harness.start(tmp, ONE_SLOT_TWO_QUEUE, new FakeEngineFactory(), "chat.gguf")) {
            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:1", false)).statusCode()).isEqualTo(200);

            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) calls.add(h.postAsync("/v1/chat/completions", Harness.chat("chat", "hold", true)));

            Harness.await("five refusals", () -> calls.stream().filter(CompletableFuture::isDone).count() == 5);
            Harness.await("one running, two queued", () -> {
                JsonNode m = h.model("chat");
                return m.get("in_flight").asInt() == 1 && m.get("queued").asInt() == 2;
            });
            JsonNode m = h.model("chat");
            assertThat(m.get("state").asText()).isEqualTo("busy");
            assertThat(h.status().get("status").asText()).isEqualTo("ok");
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                if (!c.isDone()) continue;
                HttpResponse<String> r = c.get();
                assertError(r, 429, "rate_limit_error", "queue_full");
                assertThat(r.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
                assertThat(Json.parse(r.body()).get("error").get("message").asText()).contains("(2 waiting)");
            }

            h.engines.release();
            int ok = 0;
            for (CompletableFuture<HttpResponse<String>> c : calls) {
                HttpResponse<String> r = c.get();
                if (r.statusCode() == 200) {
                    ok++;
                    assertThat(r.body()).contains("held ").endsWith("data: [DONE]\n\n");
                }
            }
            assertThat(ok).isEqualTo(3);
            Harness.await("idle again", () -> h.model("chat").get("in_flight").asInt() == 0);
            assertThat(h.state("chat")).isEqualTo("ready");
            assertThat(h.get("/metrics").body()).contains("tailgate_local_requests_total{endpoint=\"/v1/chat/completions\",model=\"chat\",status_class=\"4xx\"} 5.0");
        }
    }

    @Test
    void aQueuedRequestWhoseClientLeavesLeavesTheQueue() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, ONE_SLOT_TWO_QUEUE, engines, "chat.gguf")) {
            CompletableFuture<HttpResponse<String>> running = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hold", false));
            Harness.await("first job running", () -> h.model("chat").get("in_flight").asInt() == 1);
            try (Socket queued = h.rawPost("/v1/chat/completions", Harness.chat("chat", "queued-and-gone", false))) {
                Harness.await("second job queued", () -> h.model("chat").get("queued").asInt() == 1);
            }
            Harness.await("queue emptied by the disconnect", () -> h.model("chat").get("queued").asInt() == 0);
            engines.release();
            assertThat(running.get().statusCode()).isEqualTo(200);
            // The next request runs; the abandoned one never reached the engine.
            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:1", false)).statusCode()).isEqualTo(200);
            assertThat(engines.prompts).contains("hold", "tokens:1").doesNotContain("queued-and-gone");
            assertThat(engines.cancels.get()).isZero();
        }
    }

    @Test
    void aRunningStreamWhoseClientLeavesIsCancelledInTheEngine() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, ONE_SLOT_TWO_QUEUE, engines, "chat.gguf")) {
            try (Socket s = h.rawPost("/v1/chat/completions", Harness.chat("chat", "hold", true))) {
                Harness.await("job running", () -> h.model("chat").get("in_flight").asInt() == 1);
                // read the start of the stream so we know the first chunk went out
                byte[] buf = new byte[256];
                assertThat(s.getInputStream().read(buf)).isPositive();
            }
            Harness.await("engine saw the cancel", () -> engines.cancels.get() == 1);
            Harness.await("slot freed", () -> h.model("chat").get("in_flight").asInt() == 0);
            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:2", false)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void concurrentFirstRequestsLoadTheModelOnce() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory().gateLoads();
        try (Harness h = Harness.start(tmp, ONE_SLOT_TWO_QUEUE.replace("max_queue: 2", "max_queue: 5"), engines, "chat.gguf")) {
            assertThat(h.state("chat")).isEqualTo("unloaded");
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) calls.add(h.postAsync("/v1/chat/completions", Harness.chat("chat", "tokens:2", i % 2 == 0)));
            Harness.await("all four waiting on the load", () -> h.model("chat").get("queued").asInt() == 4);
            assertThat(h.state("chat")).isEqualTo("loading");
            engines.openLoads();
            for (CompletableFuture<HttpResponse<String>> c : calls) assertThat(c.get().statusCode()).isEqualTo(200);
            assertThat(engines.loadsOf("chat")).isEqualTo(1);
        }
    }

    @Test
    void leastRecentlyUsedIdleModelIsEvictedToFitTheBudget() throws Exception {
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        FakeEngineFactory engines = new FakeEngineFactory().memory("a", 100).memory("b", 100).memory("c", 100).memory("huge", 1000);
        String yaml = "memory_budget: 250\nmodels:\n" + model("a") + model("b") + model("c") + model("huge");
        try (Harness h = Harness.start(tmp, yaml, engines, clock, false, "a.gguf", "b.gguf", "c.gguf", "huge.gguf")) {
            assertThat(h.post("/v1/chat/completions", Harness.chat("a", "tokens:1", false)).statusCode()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(1));
            assertThat(h.post("/v1/chat/completions", Harness.chat("b", "tokens:1", false)).statusCode()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(1));
            assertThat(h.status().get("memory").get("used_bytes").asLong()).isEqualTo(200);

            assertThat(h.post("/v1/chat/completions", Harness.chat("c", "tokens:1", false)).statusCode()).isEqualTo(200);
            assertThat(engines.current("a").closed.get()).isTrue();
            assertThat(engines.current("b").closed.get()).isFalse();
            assertThat(h.state("a")).isEqualTo("unloaded");
            assertThat(h.model("a").get("reason").asText()).contains("make room for 'c'");
            assertThat(h.state("b")).isEqualTo("ready");
            assertThat(h.state("c")).isEqualTo("ready");
            JsonNode memory = h.status().get("memory");
            assertThat(memory.get("budget_bytes").asLong()).isEqualTo(250);
            assertThat(memory.get("used_bytes").asLong()).isEqualTo(200);

            HttpResponse<String> tooBig = h.post("/v1/chat/completions", Harness.chat("huge", "tokens:1", false));
            assertError(tooBig, 503, "api_error", "unavailable");
            assertThat(tooBig.body()).contains("memory_budget");
            assertThat(tooBig.headers().firstValue("retry-after")).isPresent();
            assertThat(h.state("huge")).isEqualTo("failed");
            assertThat(engines.loadsOf("huge")).isZero();
            assertThat(engines.current("b").closed.get()).as("nothing evicted for a model that can never fit").isFalse();
        }
    }

    @Test
    void aBusyModelIsNeverEvicted() throws Exception {
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        FakeEngineFactory engines = new FakeEngineFactory().memory("a", 200).memory("b", 200);
        String yaml = "memory_budget: 300\nmodels:\n" + model("a") + model("b");
        try (Harness h = Harness.start(tmp, yaml, engines, clock, false, "a.gguf", "b.gguf")) {
            CompletableFuture<HttpResponse<String>> holding = h.postAsync("/v1/chat/completions", Harness.chat("a", "hold", false));
            Harness.await("a busy", () -> h.model("a").get("in_flight").asInt() == 1);
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("b", "tokens:1", false));
            assertError(r, 503, "api_error", "unavailable");
            assertThat(r.body()).contains("memory_budget is full");
            assertThat(engines.current("a").closed.get()).isFalse();
            h.engines.release();
            assertThat(holding.get().statusCode()).isEqualTo(200);
            // a is idle now, so b may take its place
            clock.advance(Duration.ofSeconds(1));
            assertThat(h.post("/v1/chat/completions", Harness.chat("b", "tokens:1", false)).statusCode()).isEqualTo(200);
            assertThat(engines.current("a").closed.get()).isTrue();
        }
    }

    @Test
    void keepAliveUnloadsAnIdleModelOnTheFakeClock() throws Exception {
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        FakeEngineFactory engines = new FakeEngineFactory();
        String yaml = "models:\n" + model("a") + "    keep_alive: 10m\n" + model("forever") + "    keep_alive: 0\n";
        try (Harness h = Harness.start(tmp, yaml, engines, clock, false, "a.gguf", "forever.gguf")) {
            assertThat(h.post("/v1/chat/completions", Harness.chat("a", "tokens:1", false)).statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("forever", "tokens:1", false)).statusCode()).isEqualTo(200);
            clock.advance(Duration.ofMinutes(9));
            h.server.scheduler().tick();
            assertThat(h.state("a")).isEqualTo("ready");
            clock.advance(Duration.ofMinutes(2));
            h.server.scheduler().tick();
            assertThat(h.state("a")).isEqualTo("unloaded");
            Harness.await("a closed", () -> engines.current("a").closed.get());
            assertThat(h.model("a").get("memory_bytes").asLong()).isZero();
            clock.advance(Duration.ofHours(10));
            h.server.scheduler().tick();
            assertThat(h.state("forever")).isEqualTo("ready");
            assertThat(engines.current("forever").closed.get()).isFalse();
            // the next request loads it again
            assertThat(h.post("/v1/chat/completions", Harness.chat("a", "tokens:1", false)).statusCode()).isEqualTo(200);
            assertThat(engines.loadsOf("a")).isEqualTo(2);
        }
    }

    static String model(String id) {
        return "  " + id + ":\n    capability: chat\n    engine: llama.cpp\n    file: " + id + ".gguf\n";
    }
}
