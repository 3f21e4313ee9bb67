package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.upstream.RecordedRequest;
import dev.tailgate.wire.Json;
import dev.tailgate.wire.sse.SseEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatRelayTest {
    static Harness h;

    @BeforeAll
    static void start() {
        h = Harness.start();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @BeforeEach
    void clear() {
        h.upstream.clear();
    }

    private static String contentOf(List<SseEvent> events) {
        StringBuilder sb = new StringBuilder();
        for (SseEvent e : events) {
            if (e.isDone() || e.event() != null) continue;
            JsonNode n = Json.parse(e.data());
            for (JsonNode c : n.path("choices")) sb.append(c.path("delta").path("content").asText(""));
        }
        return sb.toString();
    }

    @Test
    void nonStreamRewritesTheModelBothWaysAndPassesUnknownFieldsThrough() {
        HttpResponse<String> r = h.send(h.request("/v1/chat/completions").header("Content-Type", "application/json")
                .header("X-Request-Id", "req-123").POST(HttpRequest.BodyPublishers.ofString(Harness.chat("qwen", false, "hello world"))).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Request-Id")).contains("req-123");
        JsonNode body = Json.parse(r.body());
        assertThat(body.get("model").asText()).isEqualTo("qwen");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("echo: hello world");
        assertThat(body.get("x_fake_extension").asText()).isEqualTo("kept");
        assertThat(body.at("/usage/total_tokens").asInt()).isPositive();

        RecordedRequest up = h.upstream.lastRequest();
        assertThat(up.path()).isEqualTo("/v1/chat/completions");
        assertThat(up.json().get("model").asText()).isEqualTo("echo");
        assertThat(up.bodyText()).contains("\"x_unknown_field\":{\"keep\":[1,2.50]}").contains("\"temperature\":0.5");
        assertThat(up.header("Authorization")).isEqualTo("Bearer " + Harness.PROVIDER_KEY);
        assertThat(up.header("X-Request-Id")).isEqualTo("req-123");
    }

    @Test
    void streamRelaysEveryEventWithTheAliasUsageAndDone() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("qwen", true, "hello big world"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<SseEvent> events = Sse.parse(r.body());
        assertThat(events.getLast().isDone()).isTrue();
        assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> assertThat(Json.parse(e.data()).get("model").asText()).isEqualTo("qwen"));
        assertThat(contentOf(events)).isEqualTo("echo: hello big world");
        JsonNode usage = Json.parse(events.get(events.size() - 2).data()).get("usage");
        assertThat(usage.get("total_tokens").asInt()).isPositive();
        assertThat(h.upstream.lastRequest().json().get("stream").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen-crlf", "qwen-cr", "qwen-frag"})
    void upstreamLineEndingsAndFragmentationDoNotMatter(String model) {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat(model, true, "a b \u00e9\u00e8 \u4e16\u754c"));
        List<SseEvent> events = Sse.parse(r.body());
        assertThat(contentOf(events)).isEqualTo("echo: a b \u00e9\u00e8 \u4e16\u754c");
        assertThat(events.subList(0, events.size() - 1)).allSatisfy(e -> assertThat(Json.parse(e.data()).get("model").asText()).isEqualTo(model));
        assertThat(events.getLast().isDone()).isTrue();
        assertThat(r.body()).doesNotContain("\r");
    }

    @Test
    void firstDeltaReachesTheClientWhileTheUpstreamIsStillHoldingTheRest() throws Exception {
        HttpResponse<Stream<String>> r = h.http.send(h.request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gated", true, "x"))).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        Iterator<String> lines = r.body().iterator();
        String firstDelta = null;
        while (lines.hasNext()) {
            String l = lines.next();
            if (l.startsWith("data: ") && l.contains("\"content\":\"first \"")) {
                firstDelta = l;
                break;
            }
        }
        // the upstream is blocked on the gate until now: had the gateway buffered, we would never get here
        assertThat(firstDelta).isNotNull();
        assertThat(h.upstream.gate("gated-stream")).isNotDone();
        h.upstream.gate("gated-stream").complete(null);
        StringBuilder rest = new StringBuilder();
        lines.forEachRemaining(l -> rest.append(l).append('\n'));
        assertThat(rest.toString()).contains("third").contains("data: [DONE]");
    }

    @Test
    void fallsBackToTheNextTargetOnUpstream5xx() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("flaky", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.parse(r.body()).get("model").asText()).isEqualTo("flaky");
        List<RecordedRequest> seen = h.upstream.requests();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).json().get("model").asText()).isEqualTo("error-500");
        assertThat(seen.get(0).header("Authorization")).isEqualTo("Bearer " + Harness.PROVIDER_KEY);
        assertThat(seen.get(1).json().get("model").asText()).isEqualTo("echo");
        assertThat(seen.get(1).header("Authorization")).isEqualTo("Bearer " + Harness.BACKUP_KEY);
    }

    @Test
    void streamFallsBackToo() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("flaky", true, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(contentOf(Sse.parse(r.body()))).isEqualTo("echo: hi");
    }

    @Test
    void withoutFallbackA5xxBecomes502() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("flaky-strict", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(Json.parse(r.body()).at("/error/code").asText()).isEqualTo("upstream_error");
        assertThat(h.upstream.requests()).hasSize(1);
    }

    @Test
    void fallsBackWhenTheFirstProviderRefusesConnections() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("dead-first", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.parse(r.body()).at("/choices/0/message/content").asText()).isEqualTo("echo: hi");
    }

    @Test
    void fallsBackWhenTheFirstProviderStallsBeforeHeaders() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("stall-first", true, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(contentOf(Sse.parse(r.body()))).isEqualTo("echo: hi");
    }

    @Test
    void headerStallWithoutAlternativeIs504() throws Exception {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("stall-headers", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(Json.parse(r.body()).at("/error/code").asText()).isEqualTo("upstream_timeout");
        assertThat(h.upstream.awaitCancellation("stall-headers", Duration.ofSeconds(5))).as("the stalled upstream request was reset").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cut", "stall-mid", "malformed", "error-mid"})
    void aStreamThatBreaksAfterTheFirstByteEndsWithAnErrorEventAndNoDone(String model) {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat(model, true, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        List<SseEvent> events = Sse.parse(r.body());
        assertThat(events).isNotEmpty();
        assertThat(events.getFirst().event()).isNull(); // real data came first
        SseEvent last = events.getLast();
        assertThat(last.event()).isEqualTo("error");
        JsonNode err = Json.parse(last.data()).get("error");
        assertThat(err.get("message").asText()).isNotBlank();
        assertThat(err.has("type")).isTrue();
        assertThat(events).noneMatch(SseEvent::isDone);
        assertThat(r.body()).doesNotContain("[DONE]");
    }

    @Test
    void invalidUpstreamJsonIs502() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("invalid-json", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(Json.parse(r.body()).at("/error/message").asText()).contains("invalid JSON");
    }

    @Test
    void upstream429PassesThroughWithRetryAfter() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("limited", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).contains("7");
        assertThat(Json.parse(r.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void upstream4xxPassesThroughInOpenAiShape() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("bad-request", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode e = Json.parse(r.body()).get("error");
        assertThat(e.get("param").asText()).isEqualTo("temperature");
        assertThat(e.get("code").asText()).isEqualTo("invalid_value");
    }

    @Test
    void upstream401Becomes502AndNeverEchoesTheProviderKey() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("rejected", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(Json.parse(r.body()).at("/error/message").asText()).contains("rejected the gateway's credentials");
        assertThat(r.body()).doesNotContain(Harness.PROVIDER_KEY).doesNotContain("SECRET");
    }

    @Test
    void clientDisconnectMidStreamCancelsTheUpstreamRequest() throws Exception {
        String body = Harness.chat("slow", true, "hi");
        try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + Harness.CLIENT_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.contains("\"content\":\"w0 \"")) { /* read until the first delta */ }
            assertThat(line).isNotNull();
        }
        assertThat(h.upstream.awaitCancellation("slow-stream", Duration.ofSeconds(10))).as("upstream saw the request cancelled").isTrue();
        // and the provider slot was given back
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int inFlight;
        do {
            JsonNode status = Json.parse(h.get("/status").body());
            inFlight = 0;
            for (JsonNode p : status.get("providers")) inFlight += p.get("in_flight").asInt();
            if (inFlight == 0) break;
            Thread.sleep(20); // polling /status, bounded by the deadline
        } while (System.nanoTime() < deadline);
        assertThat(inFlight).isZero();
    }
}
