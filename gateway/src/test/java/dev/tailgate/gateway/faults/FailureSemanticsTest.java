package dev.tailgate.gateway.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.MutableClock;
import dev.tailgate.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Honest failure semantics, each against real fake upstreams over HTTP: a private request whose local targets failed
 * is told which failed how and what was skipped; a 429 falls back like any other failure before the first byte; an
 * upstream Retry-After pauses that upstream model only, and the gateway's own refusal then says how long is left (429
 * when every target is paused by a 429); the request's timeout is one budget across fallbacks; a model only the
 * operator can fix is refused without Retry-After and with {@code x-should-retry: false}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailureSemanticsTest {
    static final String CONFIG = """
            listen: 127.0.0.1:0
            audit_log: off
            health: {consecutive_failures: 1000, min_calls: 1000}
            providers:
              local:
                base_url: ${UP}
                local: true
              deadlocal:
                base_url: http://127.0.0.1:${DEAD}/v1
                local: true
              ext:
                base_url: ${UP}
                api_key: env:FAULT_KEY
              rl:
                base_url: ${UP}
              slow1:
                base_url: ${UP}
                timeout: 1s
              slow2:
                base_url: ${UP}
                timeout: 1s
            models:
              private-mix:
                targets: [local/error-500, deadlocal/anything, ext/ext-answer]
                fallback: true
              limited-first:
                targets: [rl/error-429, ext/ext-answer]
                fallback: true
              limited-only:
                targets: [rl/error-429]
              other-model:
                targets: [rl/rl-other]
              stall-twice:
                targets: [slow1/stall-headers, slow2/stall-headers]
                fallback: true
              wrong-capability:
                targets: [ext/ext-answer]
                capability: embeddings
              missing-file:
                targets: [local/missing-file]
            clients:
              tester: {key: env:TG_KEY}
            """;

    final MutableClock clock = MutableClock.at("2026-03-04T05:06:07Z");
    FaultGateway g;

    @BeforeEach
    void start() {
        g = FaultGateway.start(CONFIG, Map.of(), o -> o.clock(clock).activeProbes(false));
        // qwen-local's answer for a model whose file is missing: 503 model_unavailable, no Retry-After
        g.upstream.behaviour("missing-file", ex -> {
            ex.response().putHeader("x-should-retry", "false");
            ex.error(503, "api_error", "model_unavailable", "Model 'missing-file' is unavailable: run ./tailgate models pull x");
        });
    }

    @AfterEach
    void stop() {
        if (g != null) g.close();
    }

    private long hits(String upstreamModel) {
        return g.upstream.requests().stream().filter(r -> upstreamModel.equals(Json.parse(r.body()).path("model").asText())).count();
    }

    private static JsonNode error(HttpResponse<String> r) {
        return Json.parse(r.body()).path("error");
    }

    private HttpResponse<String> chat(String model, boolean privateHeader) {
        var b = g.request("/v1/chat/completions").header("Content-Type", "application/json");
        if (privateHeader) b.header("X-Tailgate-Private", "yes");
        return g.send(b.POST(java.net.http.HttpRequest.BodyPublishers.ofString(FaultGateway.chat(model, false, "hi"))).build());
    }

    @Test
    void aPrivateRequestWhoseLocalTargetsAllFailedIs503NoPrivateRouteNamingEachFailureAndTheSkippedExternal() {
        HttpResponse<String> r = chat("private-mix", true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        JsonNode e = error(r);
        assertThat(e.path("code").asText()).isEqualTo("no_private_route");
        assertThat(e.path("message").asText())
                .contains("local/error-500: ").contains("HTTP 500")
                .contains("deadlocal/anything: ").contains("unreachable")
                .contains("skipped (not local): ext/ext-answer")
                .contains("not sent to any external provider");
        assertThat(r.headers().firstValue("Retry-After")).as("local failures are temporary").isPresent();
        assertThat(hits("ext-answer")).isZero();
        assertThat(hits("error-500")).isEqualTo(1);

        // the same model without the marker falls back to the external target
        HttpResponse<String> pub = chat("private-mix", false);
        assertThat(pub.statusCode()).as(pub.body()).isEqualTo(200);
        assertThat(hits("ext-answer")).isEqualTo(1);
    }

    @Test
    void an429FallsBackWithFallbackOnAndReachesTheClientOnlyWhenNoTargetIsLeft() {
        HttpResponse<String> r = chat("limited-first", false);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(hits("error-429")).isEqualTo(1);
        assertThat(hits("ext-answer")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(10)); // past the 429's Retry-After: 7
        HttpResponse<String> only = chat("limited-only", false);
        assertThat(only.statusCode()).isEqualTo(429);
        assertThat(only.headers().firstValue("Retry-After")).contains("7");
        assertThat(error(only).path("type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void aRetryAfterPausesThatUpstreamModelOnlyAndTheRefusalCarriesTheRemainingPause() {
        assertThat(chat("limited-only", false).statusCode()).isEqualTo(429); // rl/error-429 paused for 7 s
        assertThat(hits("error-429")).isEqualTo(1);

        HttpResponse<String> other = chat("other-model", false);
        assertThat(other.statusCode()).as("another model of the same provider is not paused: " + other.body()).isEqualTo(200);
        assertThat(hits("rl-other")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(3));
        HttpResponse<String> paused = chat("limited-only", false);
        assertThat(paused.statusCode()).as("every target paused by a 429 is a 429: " + paused.body()).isEqualTo(429);
        assertThat(error(paused).path("code").asText()).isEqualTo("rate_limited");
        assertThat(paused.headers().firstValue("Retry-After")).as("the pause that is left").contains("4");
        assertThat(hits("error-429")).as("the paused model was not sent anything").isEqualTo(1);

        clock.advance(Duration.ofSeconds(5));
        assertThat(chat("limited-only", false).statusCode()).isEqualTo(429);
        assertThat(hits("error-429")).as("after the pause it is tried again").isEqualTo(2);
    }

    @Test
    void theRequestsTimeoutIsOneBudgetAcrossFallbackAttempts() {
        HttpResponse<String> r = chat("stall-twice", false);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
        assertThat(error(r).path("code").asText()).isEqualTo("upstream_timeout");
        // the first target used the whole 1 s budget: the second was never started with a fresh clock
        assertThat(hits("stall-headers")).isEqualTo(1);
    }

    @Test
    void aModelOnlyTheOperatorCanFixIsRefusedWithoutRetryAfterAndWithShouldRetryFalse() {
        HttpResponse<String> capability = chat("wrong-capability", false);
        assertThat(capability.statusCode()).as(capability.body()).isEqualTo(503);
        assertThat(error(capability).path("code").asText()).isEqualTo("model_unavailable");
        assertThat(error(capability).path("message").asText()).contains("capability_missing");
        assertThat(capability.headers().firstValue("Retry-After")).isEmpty();
        assertThat(capability.headers().firstValue("x-should-retry")).contains("false");
        assertThat(hits("ext-answer")).isZero();

        HttpResponse<String> missing = chat("missing-file", false);
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(503);
        assertThat(error(missing).path("code").asText()).isEqualTo("model_unavailable");
        assertThat(error(missing).path("message").asText()).contains("./tailgate models pull x");
        assertThat(missing.headers().firstValue("Retry-After")).isEmpty();
        assertThat(missing.headers().firstValue("x-should-retry")).contains("false");

        // a temporary refusal keeps its Retry-After and lets SDKs retry
        HttpResponse<String> limited = chat("limited-only", false);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(limited.headers().firstValue("x-should-retry")).isEmpty();
    }
}
