package dev.tailgate.local;

import static dev.tailgate.local.ChatApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Graceful stop: new work is refused, in-flight work finishes within the grace period or is cancelled, models close. */
@Timeout(60)
class ShutdownTest {
    @TempDir
    Path tmp;

    private static final String YAML = """
            models:
              chat:
                capability: chat
                engine: llama.cpp
                file: chat.gguf
                max_queue: 4
            """;

    @Test
    void inFlightWorkFinishesWhileNewWorkIsRefused() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        Harness h = Harness.start(tmp, YAML, engines, "chat.gguf");
        try {
            CompletableFuture<HttpResponse<String>> held = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hold", true));
            Harness.await("running", () -> h.model("chat").get("in_flight").asInt() == 1);
            // its own thread: the common pool has one thread on a 2-core machine, and the JDK HttpClient needs it too
            CompletableFuture<Void> closing = new CompletableFuture<>();
            Thread.ofPlatform().name("closer").start(() -> {
                h.server.close();
                closing.complete(null);
            });
            Harness.await("health says shutting down", () -> h.get("/health").statusCode() == 503);
            assertThat(h.get("/health").body()).contains("shutting down");
            HttpResponse<String> refused = h.post("/v1/chat/completions", Harness.chat("chat", "tokens:1", false));
            assertError(refused, 503, "api_error", "unavailable");
            assertThat(refused.body()).contains("shutting down");
            assertThat(closing).isNotDone();
            engines.release();
            HttpResponse<String> r = held.get();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).endsWith("data: [DONE]\n\n");
            closing.get();
            assertThat(engines.current("chat").closed.get()).isTrue();
        } finally {
            h.close();
        }
    }

    @Test
    void workStillRunningAfterTheGracePeriodIsCancelled() throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        Harness h = Harness.start(tmp, YAML, engines, "chat.gguf");
        try {
            CompletableFuture<HttpResponse<String>> held = h.postAsync("/v1/chat/completions", Harness.chat("chat", "hold", false));
            Harness.await("running", () -> h.model("chat").get("in_flight").asInt() == 1);
            h.server.close(); // grace is 2s in the harness; the fake never finishes on its own
            HttpResponse<String> r = held.get();
            assertError(r, 503, "api_error", "unavailable");
            assertThat(r.body()).contains("shutting down");
            assertThat(engines.cancels.get()).isEqualTo(1);
            assertThat(engines.current("chat").closed.get()).isTrue();
        } finally {
            h.close();
        }
    }
}
