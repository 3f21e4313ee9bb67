package dev.tailgate.gateway.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 5 bad-input corpus: every case is sent over a raw socket and must get exactly its expected status, with an
 * OpenAI-shaped error body for every 4xx; never a 5xx, never a stack trace in the body, and (checked once after the
 * whole corpus) no stack trace in the gateway's log. The one 200 case (unknown fields) proves fields pass through.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputCorpusTest {
    static final String CONFIG = """
            listen: 127.0.0.1:0
            ledger: off
            audit_log: off
            providers:
              fake:
                base_url: ${UP}
                api_key: env:FAULT_KEY
                local: true
            models:
              qwen: {targets: [fake/echo]}
              embed: {targets: [fake/text-embedding-fake]}
              tts: {targets: [fake/tts-fake]}
              whisper: {targets: [fake/whisper-fake]}
            clients:
              tester: {key: env:TG_KEY}
            """;
    static final String AUTH = "Authorization: Bearer " + FaultGateway.CLIENT_KEY;
    static final String JSON = "Content-Type: application/json";

    static FaultGateway g;
    static final PrintStream originalErr = System.err;
    static final ByteArrayOutputStream log = new ByteArrayOutputStream();

    record Case(String name, int expected, String method, String path, List<String> headers, byte[] body) {
        @Override
        public String toString() {
            return name + " -> " + expected;
        }
    }

    @BeforeAll
    static void start() {
        g = FaultGateway.start(CONFIG, Map.of(), o -> o.activeProbes(false));
        System.setErr(new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                synchronized (log) {
                    log.write(b);
                }
                originalErr.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (log) {
                    log.write(b, off, len);
                }
                originalErr.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        System.setErr(originalErr);
        if (g != null) g.close();
    }

    private static Case json(String name, int expected, String path, String body) {
        return new Case(name, expected, "POST", path, List.of(AUTH, JSON), body.getBytes(StandardCharsets.UTF_8));
    }

    private static Case raw(String name, int expected, String method, String path, List<String> headers, byte[] body) {
        return new Case(name, expected, method, path, headers, body);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    /** A test name with its control characters shown as {@code \\uXXXX}. */
    private static String visible(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().forEach(ch -> b.append(ch < 0x20 || (ch >= 0x7f && ch <= 0x9f) || ch == 0x2028 ? String.format("\\u%04x", ch) : String.valueOf((char) ch)));
        return b.toString();
    }

    static Stream<Case> corpus() {
        String chat = "/v1/chat/completions", emb = "/v1/embeddings", resp = "/v1/responses", speech = "/v1/audio/speech",
                tr = "/v1/audio/transcriptions";
        String msgs = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        String nested = "{\"model\":\"qwen\"," + msgs + ",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        String nestedObj = "{\"model\":\"qwen\"," + msgs + ",\"x\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + "}";
        byte[] huge = bytes("{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(10 * 1024 * 1024 + 10) + "\"}]}");
        byte[] badUtf8 = concat(bytes("{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"a"),
                new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE}, bytes("\"}]}"));
        String mp = "multipart/form-data; boundary=XyZ";
        List<Case> c = new ArrayList<>();
        // --- chat completions: syntax
        c.add(json("chat malformed JSON", 400, chat, "{\"model\":"));
        c.add(json("chat trailing garbage", 400, chat, "{\"model\":\"qwen\"," + msgs + "} trailing"));
        c.add(json("chat empty body", 400, chat, ""));
        c.add(json("chat JSON array root", 400, chat, "[{\"model\":\"qwen\"}]"));
        c.add(json("chat JSON string root", 400, chat, "\"qwen\""));
        c.add(json("chat JSON null root", 400, chat, "null"));
        c.add(json("chat nested arrays 10k deep", 400, chat, nested));
        c.add(json("chat nested objects 10k deep", 400, chat, nestedObj));
        c.add(raw("chat invalid UTF-8", 400, "POST", chat, List.of(AUTH, JSON), badUtf8));
        c.add(raw("chat UTF-16 body", 400, "POST", chat, List.of(AUTH, JSON),
                ("{\"model\":\"qwen\"," + msgs + "}").getBytes(StandardCharsets.UTF_16)));
        // a UTF-8 byte-order mark is tolerated (Jackson skips it, the splice keeps it): accepted, not an error
        c.add(raw("chat UTF-8 BOM then JSON", 200, "POST", chat, List.of(AUTH, JSON),
                concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes("{\"model\":\"qwen\"," + msgs + "}"))));
        c.add(json("chat duplicate model keys", 400, chat, "{\"model\":\"qwen\",\"model\":\"other\"," + msgs + "}"));
        c.add(raw("embeddings UTF-16 body", 400, "POST", emb, List.of(AUTH, JSON),
                "{\"model\":\"embed\",\"input\":\"a\"}".getBytes(StandardCharsets.UTF_16)));
        // --- chat completions: types and values
        c.add(json("chat messages is a string", 400, chat, "{\"model\":\"qwen\",\"messages\":\"hi\"}"));
        c.add(json("chat model is a number", 400, chat, "{\"model\":42," + msgs + "}"));
        c.add(json("chat stream is \"yes\"", 400, chat, "{\"model\":\"qwen\",\"stream\":\"yes\"," + msgs + "}"));
        c.add(json("chat max_tokens 1e309", 400, chat, "{\"model\":\"qwen\",\"max_tokens\":1e309," + msgs + "}"));
        c.add(json("chat max_tokens 2^70+5", 400, chat, "{\"model\":\"qwen\",\"max_tokens\":1180591620717411303429," + msgs + "}"));
        c.add(json("chat max_tokens 2^70", 400, chat, "{\"model\":\"qwen\",\"max_tokens\":1180591620717411303424," + msgs + "}"));
        c.add(json("chat no model", 400, chat, "{" + msgs + "}"));
        c.add(json("chat no messages", 400, chat, "{\"model\":\"qwen\"}"));
        c.add(json("chat message without role", 400, chat, "{\"model\":\"qwen\",\"messages\":[{\"content\":\"hi\"}]}"));
        c.add(json("chat messages is an object", 400, chat, "{\"model\":\"qwen\",\"messages\":{\"role\":\"user\"}}"));
        c.add(json("chat unknown model", 404, chat, "{\"model\":\"no-such-model\"," + msgs + "}"));
        c.add(json("chat unknown fields pass through", 200, chat, "{\"model\":\"qwen\",\"x_vendor\":{\"deep\":[1,2,{\"k\":null}]},\"top_k\":3," + msgs + "}"));
        // --- chat completions: transport
        c.add(raw("chat huge body over 10MiB", 413, "POST", chat, List.of(AUTH, JSON), huge));
        c.add(raw("chat text/plain", 415, "POST", chat, List.of(AUTH, "Content-Type: text/plain"), bytes("{\"model\":\"qwen\"," + msgs + "}")));
        c.add(raw("chat form-encoded", 415, "POST", chat, List.of(AUTH, "Content-Type: application/x-www-form-urlencoded"), bytes("model=qwen&messages=hi")));
        c.add(raw("chat no content type, not JSON", 400, "POST", chat, List.of(AUTH), bytes("model=qwen")));
        c.add(raw("chat very long header", 431, "POST", chat, List.of(AUTH, JSON, "X-Long: " + "a".repeat(100_000)), bytes("{}")));
        c.add(raw("chat very long URL", 414, "POST", chat + "?" + "q".repeat(20_000), List.of(AUTH, JSON), bytes("{}")));
        c.add(raw("chat no Authorization", 401, "POST", chat, List.of(JSON), bytes("{\"model\":\"qwen\"," + msgs + "}")));
        c.add(raw("chat Authorization without key", 401, "POST", chat, List.of("Authorization: Bearer", JSON), bytes("{}")));
        c.add(raw("chat Authorization Basic", 401, "POST", chat, List.of("Authorization: Basic dGVzdDp0ZXN0", JSON), bytes("{}")));
        c.add(raw("chat Authorization key plus junk", 401, "POST", chat, List.of(AUTH + " junk", JSON), bytes("{}")));
        c.add(raw("chat Authorization wrong key", 401, "POST", chat, List.of("Authorization: Bearer tg-wrong", JSON), bytes("{}")));
        c.add(raw("chat Authorization non-ASCII", 401, "POST", chat, List.of("Authorization: Bearer \u00ff\u00fe", JSON), bytes("{}")));
        c.add(raw("chat GET", 405, "GET", chat, List.of(AUTH), null));
        c.add(raw("chat PUT", 405, "PUT", chat, List.of(AUTH, JSON), bytes("{}")));
        c.add(raw("unknown path", 404, "POST", "/v1/nope", List.of(AUTH, JSON), bytes("{}")));
        c.add(raw("unknown path below chat", 404, "POST", chat + "/extra", List.of(AUTH, JSON), bytes("{}")));
        c.add(raw("root path", 404, "GET", "/", List.of(), null));
        c.add(raw("model id with a bad percent escape", 404, "GET", "/v1/models/%ZZ", List.of(AUTH), null));
        c.add(raw("unknown model id", 404, "GET", "/v1/models/nope", List.of(AUTH), null));
        c.add(raw("path with dot segments", 404, "GET", "/v1/../../etc/passwd", List.of(AUTH), null));
        c.add(raw("absolute-form request target", 404, "GET", "http://example.invalid/x", List.of(AUTH), null));
        // --- embeddings
        c.add(json("embeddings malformed JSON", 400, emb, "{\"input\":"));
        c.add(json("embeddings no input", 400, emb, "{\"model\":\"embed\"}"));
        c.add(json("embeddings input is a number", 400, emb, "{\"model\":\"embed\",\"input\":42}"));
        c.add(json("embeddings model is a number", 400, emb, "{\"model\":1,\"input\":\"a\"}"));
        c.add(json("embeddings JSON array root", 400, emb, "[\"a\"]"));
        c.add(json("embeddings encoding_format hex", 400, emb, "{\"model\":\"embed\",\"input\":\"a\",\"encoding_format\":\"hex\"}"));
        c.add(raw("embeddings GET", 405, "GET", emb, List.of(AUTH), null));
        // --- responses
        c.add(json("responses malformed JSON", 400, resp, "{\"model\":\"qwen\",\"input\":"));
        c.add(json("responses no model", 400, resp, "{\"input\":\"hi\"}"));
        c.add(json("responses input is a number", 400, resp, "{\"model\":\"qwen\",\"input\":42}"));
        c.add(json("responses tools is a string", 400, resp, "{\"model\":\"qwen\",\"input\":\"hi\",\"tools\":\"all\"}"));
        c.add(json("responses stream is \"yes\"", 400, resp, "{\"model\":\"qwen\",\"input\":\"hi\",\"stream\":\"yes\"}"));
        c.add(json("responses max_output_tokens 1e309", 400, resp, "{\"model\":\"qwen\",\"input\":\"hi\",\"max_output_tokens\":1e309}"));
        // 2^70 + 5: a long cast would silently make this 5
        c.add(json("responses max_output_tokens 2^70+5", 400, resp, "{\"model\":\"qwen\",\"input\":\"hi\",\"max_output_tokens\":1180591620717411303429}"));
        c.add(json("chat max_completion_tokens -1", 400, chat, "{\"model\":\"qwen\",\"max_completion_tokens\":-1," + msgs + "}"));
        c.add(json("chat max_tokens a string", 400, chat, "{\"model\":\"qwen\",\"max_tokens\":\"10\"," + msgs + "}"));
        c.add(raw("responses text/plain", 415, "POST", resp, List.of(AUTH, "Content-Type: text/plain"), bytes("hi")));
        c.add(raw("responses GET", 405, "GET", resp, List.of(AUTH), null));
        // --- speech
        c.add(json("speech no input", 400, speech, "{\"model\":\"tts\",\"voice\":\"a\"}"));
        c.add(json("speech input is a number", 400, speech, "{\"model\":\"tts\",\"input\":7}"));
        c.add(json("speech model is a number", 400, speech, "{\"model\":7,\"input\":\"hi\"}"));
        c.add(json("speech malformed JSON", 400, speech, "{\"model\""));
        c.add(raw("speech GET", 405, "GET", speech, List.of(AUTH), null));
        // --- transcriptions (multipart)
        c.add(raw("transcriptions JSON body", 415, "POST", tr, List.of(AUTH, JSON), bytes("{\"model\":\"whisper\"}")));
        c.add(raw("transcriptions multipart without boundary", 415, "POST", tr, List.of(AUTH, "Content-Type: multipart/form-data"), bytes("x")));
        c.add(raw("transcriptions garbage multipart", 400, "POST", tr, List.of(AUTH, "Content-Type: " + mp), bytes("this is not multipart at all")));
        c.add(raw("transcriptions no model field", 400, "POST", tr, List.of(AUTH, "Content-Type: " + mp),
                bytes("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF\r\n--XyZ--\r\n")));
        c.add(raw("transcriptions truncated multipart", 400, "POST", tr, List.of(AUTH, "Content-Type: " + mp),
                bytes("--XyZ\r\nContent-Disposition: form-data; name=\"fi")));
        c.add(raw("transcriptions empty body", 400, "POST", tr, List.of(AUTH, "Content-Type: " + mp), new byte[0]));
        c.add(raw("transcriptions unknown model", 404, "POST", tr, List.of(AUTH, "Content-Type: " + mp),
                bytes("--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nnope\r\n--XyZ--\r\n")));
        c.add(raw("transcriptions GET", 405, "GET", tr, List.of(AUTH), null));
        // --- issue 9: framing (Content-Length with Transfer-Encoding), control characters in model names, duplicate parts
        for (String te : List.of("chunked", "chunked, identity", "Chunked", "xchunked", "gzip")) {
            c.add(raw("chat Content-Length + Transfer-Encoding: " + te, 400, "POST", chat,
                    List.of(AUTH, JSON, "Content-Length: 5", "Transfer-Encoding: " + te), bytes("0\r\n\r\n")));
        }
        c.add(raw("chat Transfer-Encoding: gzip alone", 400, "POST", chat, List.of(AUTH, JSON, "Transfer-Encoding: gzip"), bytes("0\r\n\r\n")));
        for (String name : List.of("qwen\n", "qwen\r\nrid=forged", "\u001b[31mqwen", "qw\u0000en", "qwen\u007f", "qwen\u0085", "qwen\u2028")) {
            String model = Json.string(com.fasterxml.jackson.databind.node.TextNode.valueOf(name));
            String shown = visible(name);
            c.add(json("chat model " + shown, 400, chat, "{\"model\":" + model + "," + msgs + "}"));
            c.add(json("embeddings model " + shown, 400, emb, "{\"model\":" + model + ",\"input\":\"a\"}"));
            c.add(json("speech model " + shown, 400, speech, "{\"model\":" + model + ",\"input\":\"hi\"}"));
            c.add(json("responses model " + shown, 400, resp, "{\"model\":" + model + ",\"input\":\"hi\"}"));
            c.add(raw("transcriptions model " + shown, 400, "POST", tr, List.of(AUTH, "Content-Type: " + mp),
                    bytes("--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + name + "\r\n--XyZ--\r\n")));
        }
        String whisperPart = "--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper\r\n";
        String filePart = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF\r\n";
        c.add(raw("transcriptions duplicate model parts", 400, "POST", tr, List.of(AUTH, "Content-Type: " + mp),
                bytes(whisperPart + whisperPart + filePart + "--XyZ--\r\n")));
        c.add(raw("transcriptions duplicate model parts around the file", 400, "POST", tr, List.of(AUTH, "Content-Type: " + mp),
                bytes(whisperPart + filePart + whisperPart + "--XyZ--\r\n")));
        c.add(raw("transcriptions MODEL and model parts", 400, "POST", tr, List.of(AUTH, "Content-Type: " + mp),
                bytes(whisperPart.replace("\"model\"", "\"MODEL\"") + whisperPart + filePart + "--XyZ--\r\n")));
        c.add(raw("transcriptions two Content-Disposition headers in a part", 400, "POST", tr, List.of(AUTH, "Content-Type: " + mp),
                bytes("--XyZ\r\nContent-Disposition: form-data; name=\"hint\"\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nx\r\n"
                        + whisperPart + filePart + "--XyZ--\r\n")));
        c.add(raw("translations duplicate model parts", 400, "POST", "/v1/audio/translations", List.of(AUTH, "Content-Type: " + mp),
                bytes(whisperPart + whisperPart + filePart + "--XyZ--\r\n")));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void badInputGetsItsExpectedStatusInTheOpenAiShape(Case c) throws Exception {
        String head = c.method() + " " + c.path() + " HTTP/1.1\r\nHost: 127.0.0.1" + (c.headers().isEmpty() ? "" : "\r\n" + String.join("\r\n", c.headers()));
        RawHttp.Response r = RawHttp.exchange(g.port(), head, c.body(), 30_000);
        assertThat(r.status()).as(c.name() + ": " + r.body()).isEqualTo(c.expected());
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("at dev.").doesNotContain("at io.");
        if (c.expected() >= 400) {
            JsonNode e = Json.parse(r.body()).get("error");
            assertThat(e).as("OpenAI error shape: " + r.body()).isNotNull();
            assertThat(e.get("message").asText()).isNotBlank();
            assertThat(e.has("type") && e.has("param") && e.has("code")).isTrue();
            assertThat(r.header("content-type")).startsWith("application/json");
        }
    }

    @Test
    void theCorpusIsLargeEnough() {
        assertThat(corpus().count()).isGreaterThanOrEqualTo(40);
    }

    @Test
    void theGatewayStillServesAndLoggedNoStackTrace() throws Exception {
        // runs in any order relative to the corpus; both checks hold at any point
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH + "\r\n" + JSON;
        RawHttp.Response ok = RawHttp.exchange(g.port(), head, bytes("{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"still here\"}]}"), 30_000);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(noStackTrace()).isTrue();
    }

    @Test
    void aMessagesRequestWithControlCharactersInItsModelIs400() throws Exception {
        String head = "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + FaultGateway.CLIENT_KEY + "\r\n" + JSON;
        RawHttp.Response r = RawHttp.exchange(g.port(), head, bytes("{\"model\":\"qwen\\r\\nrid=forged\",\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 30_000);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("control characters");
    }

    @AfterAll
    static void noForgedAccessLogLine() {
        // the corpus sends model names with CR/LF followed by "rid=forged": no access-log line may start there
        assertThat(logText().lines()).noneMatch(l -> l.startsWith("rid=forged"));
    }

    @AfterAll
    static void noStackTraceInTheLog() {
        assertThat(noStackTrace()).as("gateway log has no stack trace:\n" + logText()).isTrue();
    }

    private static String logText() {
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    private static boolean noStackTrace() {
        String l = logText();
        return l.lines().noneMatch(x -> x.matches("\\s+at [\\w.$]+\\(.*") || x.contains("Exception:") || x.startsWith("Caused by"));
    }
}
