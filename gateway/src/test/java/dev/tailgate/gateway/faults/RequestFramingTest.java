package dev.tailgate.gateway.faults;

import dev.tailgate.testing.RawHttp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.wire.Json;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 point 5: a request carrying both Content-Length and Transfer-Encoding (or a coding other than exactly
 * {@code chunked}) is answered 400 and the connection closed (RFC 9112 §6.1). The bytes after its body hold a second,
 * smuggled request; it must never be decoded, so it never reaches the provider.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestFramingTest {
    static FaultGateway g;

    @BeforeAll
    static void start() {
        g = FaultGateway.start(BadInputCorpusTest.CONFIG, Map.of(), o -> o.activeProbes(false));
    }

    @AfterAll
    static void stop() {
        if (g != null) g.close();
    }

    /** The first request's chunked body ends right away; what follows is a complete chat request of its own. */
    static String smuggling(String transferEncoding, boolean withContentLength) {
        String smuggled = "{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"smuggled\"}]}";
        String second = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + BadInputCorpusTest.AUTH + "\r\n"
                + BadInputCorpusTest.JSON + "\r\nContent-Length: " + smuggled.length() + "\r\n\r\n" + smuggled;
        String firstBody = "0\r\n\r\n";
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + BadInputCorpusTest.AUTH + "\r\n"
                + BadInputCorpusTest.JSON + "\r\n"
                + (withContentLength ? "Content-Length: " + firstBody.length() + "\r\n" : "")
                + "Transfer-Encoding: " + transferEncoding + "\r\n\r\n" + firstBody + second;
    }


    static int statusLines(String answer) {
        Matcher m = Pattern.compile("HTTP/1\\.1 \\d{3} ").matcher(answer);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @ParameterizedTest(name = "Content-Length + Transfer-Encoding: {0}")
    @ValueSource(strings = {"chunked", "chunked, identity", "Chunked", "xchunked", "gzip", "identity, chunked"})
    void contentLengthWithTransferEncodingIs400AndTheSmuggledRequestNeverRuns(String te) throws Exception {
        int before = g.upstream.requests().size();
        String answer = RawHttp.exchange(g.port(), smuggling(te, true));
        assertThat(answer).startsWith("HTTP/1.1 400 ");
        assertThat(statusLines(answer)).as(answer).isEqualTo(1);
        assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertThat(Json.parse(body).path("error").path("message").asText()).contains("Content-Length").contains("Transfer-Encoding");
        assertThat(g.upstream.requests()).hasSize(before);
    }

    @ParameterizedTest(name = "Transfer-Encoding alone: {0}")
    @ValueSource(strings = {"chunked, identity", "xchunked", "gzip"})
    void aTransferCodingOtherThanChunkedIs400AndTheConnectionCloses(String te) throws Exception {
        int before = g.upstream.requests().size();
        String answer = RawHttp.exchange(g.port(), smuggling(te, false));
        assertThat(answer).startsWith("HTTP/1.1 400 ");
        assertThat(statusLines(answer)).as(answer).isEqualTo(1);
        assertThat(g.upstream.requests()).hasSize(before);
    }

    @ParameterizedTest(name = "plain chunked still works: {0}")
    @ValueSource(strings = {"chunked", "Chunked"})
    void aPlainChunkedRequestIsServedAndTheConnectionStaysUsable(String te) throws Exception {
        // the same bytes without Content-Length are two honest pipelined requests: the first (empty body) is a 400 for
        // its body, the second is served; this proves the refusal above is about the framing, not the pipelining
        String answer = RawHttp.exchange(g.port(), smuggling(te, false).replace("Host: 127.0.0.1\r\n" + BadInputCorpusTest.AUTH + "\r\n"
                + BadInputCorpusTest.JSON + "\r\nContent-Length", "Host: 127.0.0.1\r\nConnection: close\r\n" + BadInputCorpusTest.AUTH + "\r\n"
                + BadInputCorpusTest.JSON + "\r\nContent-Length"));
        assertThat(statusLines(answer)).as(answer).isEqualTo(2);
        assertThat(answer).contains("HTTP/1.1 200 ").contains("echo: smuggled");
    }
}
