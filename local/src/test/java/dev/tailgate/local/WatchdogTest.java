package dev.tailgate.local;

import dev.tailgate.testing.MutableClock;
import static dev.tailgate.local.ChatApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Stuck jobs and dead workers: detected, reported in /status, killed, failed cleanly, recovered on the next request. */
@Timeout(60)
class WatchdogTest {
    @TempDir
    Path tmp;

    private static final String STUCK_FAST = """
            models:
              chat:
                capability: chat
                engine: llama.cpp
                file: chat.gguf
                max_concurrency: 1
                max_queue: 4
                stuck_after: 300ms
            """;

    @Test
    void aHangingJobBecomesStuckIsKilledAndTheNextRequestSucceeds() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, STUCK_FAST, engines, "chat.gguf")) {
            CompletableFuture<HttpResponse<String>> hanging = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hang", false));
            Harness.await("state stuck", () -> h.state("chat").equals("stuck"));
            JsonNode m = h.model("chat");
            assertThat(m.get("reason").asText()).contains("no progress").contains("stuck_after 300ms");
            assertThat(h.status().get("status").asText()).isEqualTo("unavailable");

            HttpResponse<String> r = hanging.get();
            assertError(r, 503, "api_error", "unavailable");
            assertThat(Json.parse(r.body()).get("error").get("message").asText()).contains("got stuck");
            assertThat(r.headers().firstValue("retry-after")).isPresent();
            Harness.await("stuck worker closed", () -> engines.modelsOf("chat").getFirst().closed.get());

            HttpResponse<String> next = h.post("/v1/chat/completions", Harness.chat("chat", "tokens:2", false));
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(engines.loadsOf("chat")).isEqualTo(2);
            assertThat(h.state("chat")).isEqualTo("ready");
            assertThat(h.model("chat").get("reason").isNull()).isTrue();
        }
    }

    @Test
    void requestsQueuedBehindAStuckJobAreServedAfterTheReload() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, STUCK_FAST, engines, "chat.gguf")) {
            CompletableFuture<HttpResponse<String>> hanging = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hang", false));
            Harness.await("hang running", () -> h.model("chat").get("in_flight").asInt() == 1);
            List<CompletableFuture<HttpResponse<String>>> queued = List.of(
                    h.postAsync("/v1/chat/completions", Harness.chat("chat", "tokens:1", false)),
                    h.postAsync("/v1/chat/completions", Harness.chat("chat", "tokens:2", true)));
            assertThat(hanging.get().statusCode()).isEqualTo(503);
            for (CompletableFuture<HttpResponse<String>> q : queued) assertThat(q.get().statusCode()).isEqualTo(200);
            assertThat(engines.loadsOf("chat")).isEqualTo(2);
            assertThat(engines.modelsOf("chat").getFirst().closed.get()).isTrue();
        }
    }

    @Test
    void aStreamStuckAfterItsFirstByteEndsWithAnErrorEventAndNoDone() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, STUCK_FAST, engines, "chat.gguf")) {
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("chat", "delta-then-hang", true));
            assertThat(r.statusCode()).isEqualTo(200);
            List<String> events = ChatApiTest.events(r.body());
            assertThat(events.getFirst()).contains("\"role\":\"assistant\"");
            assertThat(r.body()).contains("partial").doesNotContain("[DONE]");
            String last = events.getLast();
            assertThat(last).startsWith("event: error\ndata: ");
            JsonNode err = Json.parse(last.substring(last.indexOf("data: ") + 6)).get("error");
            assertThat(err.get("code").asText()).isEqualTo("unavailable");
            assertThat(err.get("message").asText()).contains("got stuck");
        }
    }

    @Test
    void whenOneOfTwoRunningJobsIsStuckBothFailAndTheInnocentOneIsToldWhy() throws Exception {
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        FakeEngineFactory engines = new FakeEngineFactory();
        String yaml = STUCK_FAST.replace("max_concurrency: 1", "max_concurrency: 2");
        try (Harness h = Harness.start(tmp, yaml, engines, clock, false, "chat.gguf")) {
            CompletableFuture<HttpResponse<String>> hanging = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hang", false));
            Harness.await("hang running", () -> h.model("chat").get("in_flight").asInt() == 1);
            clock.advance(java.time.Duration.ofMillis(200));
            CompletableFuture<HttpResponse<String>> holding = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hold", false));
            Harness.await("both running", () -> h.model("chat").get("in_flight").asInt() == 2);
            Harness.await("hold made progress", () -> engines.prompts.contains("hold"));
            JsonNode m = h.model("chat");
            assertThat(m.get("oldest_job_ms").asLong()).isEqualTo(200);

            clock.advance(java.time.Duration.ofMillis(150)); // hang: 350ms without progress; hold: 150ms
            h.server.scheduler().tick();
            assertThat(h.state("chat")).isEqualTo("stuck");
            HttpResponse<String> stuck = hanging.get();
            assertError(stuck, 503, "api_error", "unavailable");
            assertThat(stuck.body()).contains("got stuck");
            HttpResponse<String> innocent = holding.get();
            assertError(innocent, 503, "api_error", "unavailable");
            assertThat(innocent.body()).contains("another request on it got stuck");
        }
    }

    /**
     * An engine that only reports progress without output (a long tool call being written, a long prompt being
     * evaluated) for longer than stuck_after is working, not stuck; once that progress stops, the same job is stuck.
     */
    @Test
    void progressWithoutOutputKeepsAJobAliveAndItsEndMakesTheJobStuck() throws Exception {
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, STUCK_FAST, engines, clock, false, "chat.gguf")) {
            CompletableFuture<HttpResponse<String>> writing = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hang", false));
            JobListener engine = engineSideOfTheOnlyJob(engines);
            for (int i = 0; i < 5; i++) { // 1s of progress alone against a stuck_after of 300ms
                clock.advance(Duration.ofMillis(200));
                engine.onProgress();
                h.server.scheduler().tick();
                assertThat(h.state("chat")).isEqualTo("busy");
                assertThat(h.model("chat").get("last_progress_ms").asLong()).isZero();
            }
            assertThat(h.model("chat").get("oldest_job_ms").asLong()).isEqualTo(1000);
            assertThat(writing).isNotDone();

            clock.advance(Duration.ofMillis(300)); // the engine falls silent
            h.server.scheduler().tick();
            assertThat(h.state("chat")).isEqualTo("stuck");
            HttpResponse<String> r = writing.get();
            assertError(r, 503, "api_error", "unavailable");
            assertThat(r.body()).contains("got stuck");
        }
    }

    /** Progress is the watchdog's alone: a streamed answer is the same, event for event, with or without it. */
    @Test
    void progressReachesNoClient() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, STUCK_FAST.replace("300ms", "60s"), engines, "chat.gguf")) {
            CompletableFuture<HttpResponse<String>> withProgress = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hold", true));
            JobListener engine = engineSideOfTheOnlyJob(engines);
            for (int i = 0; i < 3; i++) engine.onProgress();
            engines.release();
            HttpResponse<String> r = withProgress.get();
            assertThat(r.statusCode()).isEqualTo(200);
            HttpResponse<String> without = h.post("/v1/chat/completions", Harness.chat("chat", "hold", true)); // released: no wait
            assertThat(choices(r.body())).isEqualTo(choices(without.body()))
                    .anyMatch(c -> c.contains("\"content\":\"held \"")).contains("data: [DONE]");
        }
    }

    /** The listener the scheduler gave the engine for the one job submitted to model {@code chat}. */
    private static JobListener engineSideOfTheOnlyJob(FakeEngineFactory engines) throws Exception {
        Harness.await("the job on the engine", () -> engines.current("chat") != null && engines.current("chat").jobs.size() == 1);
        return engines.current("chat").jobs.getFirst().listener;
    }

    /** Each SSE event's {@code choices}, or the event itself when it has none: what a client reads, without ids and times. */
    private static List<String> choices(String sse) {
        return ChatApiTest.events(sse).stream().map(e -> {
            if (!e.startsWith("data: {")) return e;
            JsonNode chunk = Json.parse(e.substring(6));
            return chunk.has("choices") ? Json.string(chunk.get("choices")) : e;
        }).toList();
    }

    @Test
    void aWorkerThatDiesDuringAJobIsReportedAndReloadedOnTheNextRequest() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, STUCK_FAST.replace("300ms", "60s"), engines, "chat.gguf")) {
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("chat", "die", false));
            assertError(r, 503, "api_error", "unavailable");
            assertThat(r.body()).contains("signal 11");
            assertThat(h.state("chat")).isEqualTo("failed");
            assertThat(h.model("chat").get("reason").asText()).contains("worker died").contains("SIGSEGV");
            assertThat(h.status().get("status").asText()).isEqualTo("unavailable");

            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:1", false)).statusCode()).isEqualTo(200);
            assertThat(engines.loadsOf("chat")).isEqualTo(2);
            assertThat(h.state("chat")).isEqualTo("ready");
        }
    }

    @Test
    void aWorkerThatDiesWhileIdleIsNoticedByTheWatchdogAndReloaded() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, STUCK_FAST, engines, MutableClock.at("2026-01-01T00:00:00Z"), false, "chat.gguf")) {
            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:1", false)).statusCode()).isEqualTo(200);
            engines.current("chat").crash("killed by the OOM killer");
            h.server.scheduler().tick();
            assertThat(h.state("chat")).isEqualTo("failed");
            assertThat(h.model("chat").get("reason").asText()).contains("OOM killer");
            assertThat(h.model("chat").get("memory_bytes").asLong()).isZero();

            assertThat(h.post("/v1/chat/completions", Harness.chat("chat", "tokens:1", true)).statusCode()).isEqualTo(200);
            assertThat(engines.loadsOf("chat")).isEqualTo(2);
        }
    }

    @Test
    void aModelThatFailsToLoadIsFailedWithTheEnginesReasonAndRetriedNextTime() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        String yaml = STUCK_FAST.replace("chat:", "broken:").replace("chat.gguf", "broken.gguf");
        try (Harness h = Harness.start(tmp, yaml, engines, "broken.gguf")) {
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("broken", "tokens:1", false));
            assertError(r, 503, "api_error", "unavailable");
            assertThat(r.body()).contains("bad magic");
            assertThat(h.state("broken")).isEqualTo("failed");
            assertThat(h.model("broken").get("reason").asText()).contains("loading failed").contains("bad magic");
            assertThat(h.get("/health").statusCode()).isEqualTo(503);
            h.post("/v1/chat/completions", Harness.chat("broken", "tokens:1", false));
            assertThat(engines.loadsOf("broken")).isEqualTo(2);
        }
    }
}
