package dev.tailgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * qwen-local's access line (logger {@code dev.tailgate.local.qwen-local}, slf4j-simple writes it to stderr): one per
 * request, named so it can be told from the gateway's in `up`'s shared terminal, and the gateway's successful
 * /status and /health polls kept out of it.
 */
@Timeout(60)
class AccessLogTest {
    @TempDir
    Path tmp;

    private static final String MODELS = """
            models:
              mini:
                capability: embeddings
                engine: onnx
            """;

    @Test
    void requestsAreLoggedUnderQwenLocalAndSuccessfulPollsAreNot() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (Harness h = Harness.start(tmp, MODELS, new FakeEngineFactory())) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertThat(h.get("/status").statusCode()).isEqualTo(200);
            assertThat(h.get("/health").statusCode()).isEqualTo(200);
            assertThat(h.post("/v1/chat/completions", Harness.chat("nope", "hi", false)).statusCode()).isEqualTo(404);
            Harness.await("the 404 is logged", () -> captured.toString(StandardCharsets.UTF_8).contains("status=404"));
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("qwen-local - POST /v1/chat/completions model=nope stream=false status=404");
        assertThat(log).doesNotContain("GET /status").doesNotContain("GET /health");
    }
}
