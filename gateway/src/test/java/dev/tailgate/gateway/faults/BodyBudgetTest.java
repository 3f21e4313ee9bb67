package dev.tailgate.gateway.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.wire.config.ConfigException;
import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.config.SecretResolver;
import dev.tailgate.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 point 6: request bodies held in memory by all requests together are bounded by {@code body_budget}; a body
 * beyond it is refused with 503 + Retry-After (not stored), and the budget frees when the holding request finishes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BodyBudgetTest {
    static final String CONFIG = """
            listen: 127.0.0.1:0
            ledger: off
            audit_log: off
            max_body: 1MiB
            body_budget: 1MiB
            providers:
              fake:
                base_url: ${UP}
                api_key: env:FAULT_KEY
            models:
              hold: {targets: [fake/hold]}
              qwen: {targets: [fake/echo]}
            clients:
              tester: {key: env:TG_KEY}
            """;
    static FaultGateway g;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        g = FaultGateway.start(CONFIG, Map.of(), o -> o.activeProbes(false));
        g.upstream.behaviour("hold", ex -> g.upstream.gate("hold").thenRun(() -> ex.json(200, ex.completion("held"))));
    }

    @AfterAll
    static void stop() {
        if (g != null) g.close();
    }

    static String body(String model, int size) {
        return FaultGateway.chat(model, false, "x".repeat(size));
    }

    @Test
    void aBodyBeyondTheBudgetIs503WithRetryAfterUntilTheHolderFinishes() throws Exception {
        CompletableFuture<HttpResponse<String>> holder = CompletableFuture.supplyAsync(() -> g.post("/v1/chat/completions", body("hold", 700_000)));
        assertThat(g.upstream.awaitRequests(1, Duration.ofSeconds(20))).as("the holding request reached the upstream").isTrue();

        HttpResponse<String> refused = g.post("/v1/chat/completions", body("qwen", 700_000));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(Json.parse(refused.body()).path("error").path("code").asText()).isEqualTo("body_budget_exceeded");

        String raw = refusedWithoutTheRestOfTheBody(900_000, FaultGateway.CLIENT_KEY);
        assertThat(raw).startsWith("HTTP/1.1 503").containsIgnoringCase("connection: close").contains("body_budget_exceeded");

        HttpResponse<String> small = g.post("/v1/chat/completions", body("qwen", 1000));
        assertThat(small.statusCode()).as("a body that fits is served meanwhile").isEqualTo(200);

        g.upstream.gate("hold").complete(null);
        assertThat(holder.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        HttpResponse<String> again = g.post("/v1/chat/completions", body("qwen", 700_000));
        assertThat(again.statusCode()).as("the budget was given back").isEqualTo(200);
    }

    @Test
    void aBodyOverMaxBodyIs413WithoutReadingIt() throws Exception {
        String raw = refusedWithoutTheRestOfTheBody(5_000_000, FaultGateway.CLIENT_KEY);
        assertThat(raw).startsWith("HTTP/1.1 413").containsIgnoringCase("connection: close");
    }

    @Test
    void aLargeBodyWithAWrongKeyIs401WithoutReadingIt() throws Exception {
        String raw = refusedWithoutTheRestOfTheBody(900_000, "not-a-key");
        assertThat(raw).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
    }

    @Test
    void aClientThatWritesItsWholeBodyFirstStillReadsItsRefusal() throws Exception {
        // the JDK HttpClient sends the whole body before reading: closing after the answer must still let it read it
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        String big = "{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(12 * 1024 * 1024) + "\"}]}";
        for (String key : new String[] {FaultGateway.CLIENT_KEY, "not-a-key"}) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + g.port() + "/v1/chat/completions"))
                            .timeout(java.time.Duration.ofSeconds(30)).header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(big)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(key).isEqualTo(key.equals("not-a-key") ? 401 : 413);
        }
    }

    @Test
    void aSmallRefusedBodyIsStillReadAndTheConnectionKept() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", g.port())) {
            s.setSoTimeout(20_000);
            String json = body("qwen", 100_000);
            var out = s.getOutputStream();
            var in = new java.io.DataInputStream(s.getInputStream());
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer not-a-key\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + json.length() + "\r\n\r\n" + json).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            String refused = readResponse(in);
            assertThat(refused).startsWith("HTTP/1.1 401").doesNotContainIgnoringCase("connection: close");
            out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readResponse(in)).as("the same connection serves the next request").startsWith("HTTP/1.1 200");
        }
    }

    /** One response with a Content-Length body, read off a kept-alive connection. */
    static String readResponse(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) throw new java.io.EOFException("closed after: " + head);
            head.append((char) c);
        }
        var m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
        byte[] b = new byte[m.find() ? Integer.parseInt(m.group(1)) : 0];
        in.readFully(b);
        return head + new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Sends the headers of a chat request declaring {@code declared} body bytes and only the first 64 KiB of it, then
     * reads: the refusal must arrive and the connection end (the server closes it) although the body never completes,
     * so the gateway did not wait to read (drain) the rest. Returns the raw response.
     */
    static String refusedWithoutTheRestOfTheBody(int declared, String key) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", g.port())) {
            s.setSoTimeout(20_000); // a server draining the body would never answer: the read fails instead
            var out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + declared + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(("{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(64 * 1024)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            var in = s.getInputStream();
            var got = new java.io.ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            for (int n; (n = in.read(chunk)) != -1; ) got.write(chunk, 0, n); // -1: the server closed the connection
            return got.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBudgetBelowMaxBodyIsAConfigError() throws Exception {
        Path cfg = tmp.resolve("gateway.yaml");
        Files.writeString(cfg, "listen: 127.0.0.1:0\nmax_body: 2MiB\nbody_budget: 1MiB\n");
        assertThatThrownBy(() -> new ConfigLoader(new SecretResolver(Map.of())).load(cfg))
                .isInstanceOf(ConfigException.class).hasMessageContaining("body_budget").hasMessageContaining("max_body");
    }
}
