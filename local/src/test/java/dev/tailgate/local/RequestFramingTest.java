package dev.tailgate.local;

import dev.tailgate.testing.RawHttp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 point 5 on qwen-local: Content-Length together with Transfer-Encoding (any spelling or coding) is 400 and the
 * connection closes; the request smuggled after the first body never reaches the engine (the model is never loaded).
 */
@Timeout(60)
class RequestFramingTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "Content-Length + Transfer-Encoding: {0}")
    @ValueSource(strings = {"chunked", "chunked, identity", "Chunked", "xchunked", "gzip"})
    void contentLengthWithTransferEncodingIs400AndTheSmuggledRequestNeverRuns(String te) throws Exception {
        FakeEngineFactory engines = new FakeEngineFactory();
        try (Harness h = Harness.start(tmp, """
                models:
                  chat:
                    capability: chat
                    engine: llama.cpp
                    file: chat.gguf
                """, engines, "chat.gguf")) {
            String smuggled = Harness.chat("chat", "smuggled", false);
            String second = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + smuggled.length() + "\r\n\r\n" + smuggled;
            String first = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 5\r\nTransfer-Encoding: " + te + "\r\n\r\n0\r\n\r\n";
            String answer = RawHttp.exchange(h.server.port(), first + second);
            assertThat(answer).startsWith("HTTP/1.1 400 ");
            assertThat(Pattern.compile("HTTP/1\\.1 \\d{3} ").matcher(answer).results().count()).as(answer).isEqualTo(1);
            assertThat(answer).contains("\"type\":\"invalid_request_error\"").contains("Transfer-Encoding");
            assertThat(engines.loadsOf("chat")).isZero();
        }
    }

}
