package dev.tailgate.gateway.faults;

import dev.tailgate.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import dev.tailgate.wire.sse.SseEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 5: the gateway against scripted upstream faults. Each test names the fault and the outcome it asserts.
 * Fallback targets are on {@code backup} (same fake, other key); "before the first byte" failures move on only when
 * the model has {@code fallback: true}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultSuiteTest {
    static final String CONFIG = """
            listen: 127.0.0.1:0
            # every fault here is asserted per request: breakers that open after a few failures would turn later
            # answers into 503 (that behaviour has its own test, BreakerRecoveryTest)
            health: {consecutive_failures: 1000000, min_calls: 1000000}
            ledger: off
            audit_log: off
            providers:
              fake:
                base_url: ${UP}
                api_key: env:FAULT_KEY
                local: true
                timeout: 20s
                first_token_timeout: 3s
                idle_timeout: 2s
              backup:
                base_url: ${UP}
                api_key: env:BACKUP_KEY
                timeout: 10s
              dead:
                base_url: http://127.0.0.1:${DEAD}/v1
              ratelimited:
                base_url: ${UP}
              hangy:
                base_url: ${UP}
                timeout: 2s
                first_token_timeout: 30s
                idle_timeout: 30s
              small:
                base_url: ${UP}
                max_response: 64KiB
              nodns:
                base_url: http://tailgate-fault-test.invalid/v1
                first_token_timeout: 15s
              tlsplain:
                base_url: https://127.0.0.1:${PLAINPORT}/v1
                first_token_timeout: 15s
              tlsself:
                base_url: https://127.0.0.1:${SELFPORT}/v1
                first_token_timeout: 15s
            models:
              refused: {targets: [dead/echo]}
              refused-first: {targets: [dead/echo, backup/echo], fallback: true}
              err500: {targets: [fake/error-500]}
              reset: {targets: [fake/reset-before-headers]}
              reset-first: {targets: [fake/reset-before-headers, backup/echo], fallback: true}
              err500-first: {targets: [fake/error-500, backup/echo], fallback: true}
              limited: {targets: [ratelimited/error-429]}
              stall: {targets: [fake/stall-headers]}
              stall-first: {targets: [fake/stall-headers, backup/echo], fallback: true}
              stall-nofallback: {targets: [fake/stall-headers, backup/echo]}
              stall-mid: {targets: [fake/stall-mid-stream, backup/echo], fallback: true}
              slow: {targets: [fake/slow-stream]}
              cut: {targets: [fake/cut-mid-stream, backup/echo], fallback: true}
              malformed: {targets: [fake/malformed-sse]}
              huge: {targets: [small/huge-json]}
              huge-chunked: {targets: [small/huge-chunked-json]}
              huge-stream: {targets: [small/huge-stream]}
              huge-ok: {targets: [fake/huge-json]}
              hang: {targets: [hangy/stall-headers]}
              trickle: {targets: [hangy/trickle-forever]}
              invalid-json: {targets: [fake/invalid-json]}
              wrong-key: {targets: [fake/error-401]}
              nodns: {targets: [nodns/echo]}
              nodns-first: {targets: [nodns/echo, backup/echo], fallback: true}
              tls-plain: {targets: [tlsplain/echo]}
              tls-plain-first: {targets: [tlsplain/echo, backup/echo], fallback: true}
              tls-self: {targets: [tlsself/echo]}
              tls-self-first: {targets: [tlsself/echo, backup/echo], fallback: true}
            clients:
              tester: {key: env:TG_KEY, admin: true}
            """;

    static final MutableClock clock = MutableClock.at("2026-03-04T05:06:07Z");
    static FaultGateway g;
    static SelfSignedTlsServer tls;

    @BeforeAll
    static void start() throws Exception {
        tls = new SelfSignedTlsServer(Files.createTempDirectory("tg-tls"));
        // the plain-HTTP fake upstream itself stands in for "an https:// provider that speaks plain HTTP": its port is
        // only known once it runs, so a second fake is started just for that
        plain = dev.tailgate.testing.upstream.FakeOpenAiUpstream.start();
        g = FaultGateway.start(CONFIG, Map.of("PLAINPORT", Integer.toString(plain.port()), "SELFPORT", Integer.toString(tls.port())),
                o -> o.activeProbes(false).clock(clock));
        g.upstream.behaviour("reset-before-headers", dev.tailgate.testing.upstream.FakeExchange::cut); // probes would add requests to the fake's record
    }

    static dev.tailgate.testing.upstream.FakeOpenAiUpstream plain;

    @AfterAll
    static void stop() {
        if (g != null) g.close();
        if (tls != null) tls.close();
        if (plain != null) plain.close();
    }

    @BeforeEach
    void clear() {
        g.upstream.clear();
    }

    private static JsonNode error(HttpResponse<String> r) {
        JsonNode e = Json.parse(r.body()).get("error");
        assertThat(e).as("OpenAI error shape in " + r.body()).isNotNull();
        assertThat(e.has("message") && e.has("type") && e.has("param") && e.has("code")).isTrue();
        return e;
    }

    private static String content(HttpResponse<String> r) {
        return Json.parse(r.body()).at("/choices/0/message/content").asText();
    }

    /** A stream that failed after its first event: real data first, then one SSE error event, and no [DONE]. */
    private static JsonNode assertStreamEndsWithErrorEvent(HttpResponse<String> r) {
        assertThat(r.statusCode()).isEqualTo(200);
        List<SseEvent> events = FaultGateway.sse(r.body());
        assertThat(events).hasSizeGreaterThan(1);
        assertThat(events.getFirst().event()).isNull();
        SseEvent last = events.getLast();
        assertThat(last.event()).isEqualTo("error");
        assertThat(events).noneMatch(SseEvent::isDone);
        assertThat(r.body()).doesNotContain("[DONE]");
        return Json.parse(last.data()).get("error");
    }

    // --- connection refused ---------------------------------------------------------------------------------

    @Test
    void connectionRefusedWithoutFallbackIs502Unreachable() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("refused", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).get("message").asText()).contains("'dead'").contains("unreachable");
    }

    @Test
    void connectionRefusedFallsBackToTheNextTarget() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("refused-first", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(content(r)).isEqualTo("echo: hi");
        assertThat(g.upstream.lastRequest().header("Authorization")).isEqualTo("Bearer " + FaultGateway.BACKUP_KEY);
    }

    // --- connection dropped before the headers -----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void upstreamDropsTheConnectionBeforeHeadersIs502(boolean stream) {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("reset", stream, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).get("message").asText()).contains("'fake'");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void upstreamDropsTheConnectionBeforeHeadersFallsBack(boolean stream) {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("reset-first", stream, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("echo: ");
        if (stream) assertThat(r.body()).contains("data: [DONE]");
        assertThat(g.upstream.lastRequest().header("Authorization")).isEqualTo("Bearer " + FaultGateway.BACKUP_KEY);
    }

    // --- 500 ----------------------------------------------------------------------------------------------------

    @Test
    void upstream500WithoutFallbackIs502() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("err500", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).get("code").asText()).isEqualTo("upstream_error");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void upstream500FallsBackToTheNextTarget(boolean stream) {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("err500-first", stream, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("echo: ");
        assertThat(g.upstream.requests()).hasSize(2);
    }

    // --- 429 + Retry-After --------------------------------------------------------------------------------------

    @Test
    void upstream429ReachesTheClientWithItsRetryAfterAndTheGatewayHonoursIt() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("limited", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).contains("7");
        assertThat(error(r).get("type").asText()).isEqualTo("rate_limit_error");
        // honoured: until the provider's Retry-After has passed (on the gateway's injected clock) nothing is sent to it
        HttpResponse<String> again = g.post("/v1/chat/completions", FaultGateway.chat("limited", true, "hi"));
        // every target is paused by the upstream's own 429: a 429 with the pause that is left, not a 503
        assertThat(again.statusCode()).isEqualTo(429);
        assertThat(again.headers().firstValue("Retry-After")).contains("7");
        assertThat(error(again).get("code").asText()).isEqualTo("rate_limited");
        assertThat(g.upstream.requests()).as("the second request never reached the provider").hasSize(1);
        clock.advance(Duration.ofSeconds(8));
        HttpResponse<String> later = g.post("/v1/chat/completions", FaultGateway.chat("limited", true, "hi"));
        assertThat(later.statusCode()).as("after Retry-After the provider is tried again").isEqualTo(429);
        assertThat(g.upstream.requests()).hasSize(2);
    }

    // --- headers never arrive -----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void headersNeverArriveFirstTokenTimeoutFallsBack(boolean stream) throws Exception {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("stall-first", stream, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("echo: ");
        assertThat(g.upstream.awaitCancellation("stall-headers", Duration.ofSeconds(10))).as("stalled request reset").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"stall", "stall-nofallback"})
    void headersNeverArriveWithoutFallbackIs504(String model) {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat(model, false, "hi"));
        assertThat(r.statusCode()).isEqualTo(504);
        JsonNode e = error(r);
        assertThat(e.get("code").asText()).isEqualTo("upstream_timeout");
        assertThat(e.get("message").asText()).contains("sent no first response");
        assertThat(g.upstream.requests()).as("no fallback attempt").hasSize(1);
    }

    // --- broken streams -----------------------------------------------------------------------------------------

    @Test
    void streamStallsMidAnswerIdleTimeoutEndsWithAnSseErrorAndNoFallback() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("stall-mid", true, "hi"));
        JsonNode e = assertStreamEndsWithErrorEvent(r);
        assertThat(e.get("message").asText()).contains("went idle");
        assertThat(g.upstream.requests()).as("no fallback after the first byte").hasSize(1);
    }

    @Test
    void aStreamLongerThanIdleTimeoutWithEventsWithinItCompletes() {
        // slow-stream: 200 chunks 25 ms apart, ~5 s in all, against fake's idle_timeout of 2s: the idle clock restarts
        // with every event, so only silence ends a stream, not its length
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("slow", true, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("event: error").endsWith("data: [DONE]\n\n");
        assertThat(r.body()).as("the last word relayed").contains("w199");
    }

    @Test
    void socketCutMidStreamEndsWithAnSseError() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("cut", true, "hi"));
        JsonNode e = assertStreamEndsWithErrorEvent(r);
        assertThat(e.get("message").asText()).contains("'fake'");
        assertThat(g.upstream.requests()).hasSize(1);
    }

    @Test
    void malformedSseLineEndsWithAnSseError() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("malformed", true, "hi"));
        JsonNode e = assertStreamEndsWithErrorEvent(r);
        assertThat(e.get("message").asText()).contains("malformed");
    }

    // --- response larger than max_response ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"huge", "huge-chunked"})
    void responseLargerThanMaxResponseIs502BeforeTheFirstByte(String model) {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat(model, false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).get("message").asText()).contains("max_response").contains("65536");
    }

    @Test
    void streamLargerThanMaxResponseEndsWithAnSseError() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("huge-stream", true, "hi"));
        JsonNode e = assertStreamEndsWithErrorEvent(r);
        assertThat(e.get("message").asText()).contains("max_response");
        assertThat(r.body().length()).as("cut off near the limit, not relayed whole").isLessThan(1 << 20);
    }

    @Test
    void aLargeResponseUnderTheDefaultLimitIsRelayed() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("huge-ok", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(content(r)).hasSize(1 << 20);
    }

    // --- total timeout --------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"hang", "trickle"})
    void upstreamThatNeverFinishesHitsTheTotalTimeout504(String model) throws Exception {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat(model, false, "hi"));
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(error(r).get("message").asText()).contains("did not finish within 2s");
        String upstreamModel = model.equals("hang") ? "stall-headers" : "trickle-forever";
        assertThat(g.upstream.awaitCancellation(upstreamModel, Duration.ofSeconds(10))).as("upstream request reset").isTrue();
    }

    // --- invalid JSON, wrong key ------------------------------------------------------------------------------------

    @Test
    void upstreamInvalidJsonIs502InOpenAiShape() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("invalid-json", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).get("message").asText()).contains("invalid JSON");
    }

    @Test
    void wrongUpstreamKeyIs502AndTheKeyIsNeverEchoed() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        HttpResponse<String> r, s;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            r = g.post("/v1/chat/completions", FaultGateway.chat("wrong-key", false, "hi"));
            HttpResponse<String> streamed = g.post("/v1/chat/completions", FaultGateway.chat("wrong-key", true, "hi"));
            assertThat(streamed.statusCode()).isEqualTo(502);
            assertThat(streamed.body()).doesNotContain("SECRET");
            s = g.get("/status");
        } finally {
            System.setErr(originalErr);
        }
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).get("code").asText()).isEqualTo("upstream_auth_failed");
        // the fake echoes the key it got in its 401 message; nothing of it may come through
        assertThat(g.upstream.lastRequest().header("Authorization")).isEqualTo("Bearer " + FaultGateway.PROVIDER_KEY);
        String everything = r.body() + r.headers().map() + s.body() + captured.toString(StandardCharsets.UTF_8);
        assertThat(everything).doesNotContain(FaultGateway.PROVIDER_KEY).doesNotContain("SECRET-0123456789");
    }

    // --- DNS failure ------------------------------------------------------------------------------------------------

    @Test
    void dnsFailureWithoutFallbackIs502() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("nodns", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).get("message").asText()).contains("'nodns'").contains("unreachable");
    }

    @Test
    void dnsFailureFallsBackToTheNextTarget() {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("nodns-first", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(content(r)).isEqualTo("echo: hi");
    }

    // --- TLS failure -------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"tls-plain,tlsplain", "tls-self,tlsself"})
    void tlsFailureWithoutFallbackIs502(String model, String provider) {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat(model, false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).get("message").asText()).contains("'" + provider + "'").contains("unreachable");
        assertThat(plain.requests()).as("nothing readable reached the plain server").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls-plain-first", "tls-self-first"})
    void tlsFailureFallsBackToTheNextTarget(String model) {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat(model, true, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("echo: ").contains("[DONE]");
    }
}
