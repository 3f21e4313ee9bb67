package dev.tailgate.gateway.faults;

import dev.tailgate.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.upstream.FakeExchange;
import dev.tailgate.wire.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 5 half-open breaker recovery, on the gateway's injected clock (no sleeping through cool-downs): 3 failures in
 * a row open the provider's breaker (then requests get 503 + Retry-After and the provider sees nothing); after the
 * cool-down exactly one trial goes through while others are still refused; a successful trial closes it, a failed one
 * re-opens it for another cool-down.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BreakerRecoveryTest {
    static final String CONFIG = """
            listen: 127.0.0.1:0
            ledger: off
            audit_log: off
            health: {consecutive_failures: 3, min_calls: 1000, cool_down: 30s}
            providers:
              flaky:
                base_url: ${UP}
                local: true
            models:
              m: {targets: [flaky/switch]}
            clients:
              tester: {key: env:TG_KEY, admin: true}
            """;

    @Test
    void failuresOpenTheBreakerOneTrialAfterTheCoolDownAndASuccessCloses() throws Exception {
        MutableClock clock = MutableClock.at("2026-03-04T05:06:07Z");
        AtomicReference<String> mode = new AtomicReference<>("fail");
        LinkedBlockingQueue<FakeExchange> held = new LinkedBlockingQueue<>();
        try (FaultGateway g = FaultGateway.start(CONFIG, Map.of(), o -> o.activeProbes(false).clock(clock))) {
            g.upstream.behaviour("switch", ex -> {
                switch (mode.get()) {
                    case "fail" -> ex.error(500, "server_error", null, "scripted failure");
                    case "hold" -> held.add(ex);
                    default -> ex.json(200, ex.completion("recovered"));
                }
            });
            for (int i = 0; i < 3; i++) assertThat(call(g).statusCode()).as("failure " + (i + 1)).isEqualTo(502);
            assertThat(g.upstream.requests()).hasSize(3);

            // open: refused without reaching the provider
            HttpResponse<String> refused = call(g);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(state(g)).isEqualTo("open");
            assertThat(g.upstream.requests()).hasSize(3);

            // still open just before the cool-down ends
            clock.advance(Duration.ofSeconds(29));
            assertThat(call(g).statusCode()).isEqualTo(503);
            assertThat(g.upstream.requests()).hasSize(3);

            // half-open: the first request is the one trial (held at the upstream); a second one is refused meanwhile
            clock.advance(Duration.ofSeconds(2));
            mode.set("hold");
            CompletableFuture<HttpResponse<String>> trial = callAsync(g);
            FakeExchange t = held.poll(20, TimeUnit.SECONDS);
            assertThat(t).as("the trial reached the provider").isNotNull();
            HttpResponse<String> during = call(g);
            assertThat(during.statusCode()).as("only one trial while half-open").isEqualTo(503);
            assertThat(g.upstream.requests()).hasSize(4);

            // the trial succeeds: closed, traffic flows again
            t.later(0, () -> t.json(200, t.completion("trial ok")));
            assertThat(trial.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            mode.set("ok");
            HttpResponse<String> after = call(g);
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(Json.parse(after.body()).at("/choices/0/message/content").asText()).isEqualTo("recovered");
            assertThat(state(g)).isNotEqualTo("open");
        }
    }

    @Test
    void aFailedTrialReopensTheBreakerForAnotherCoolDown() throws Exception {
        MutableClock clock = MutableClock.at("2026-03-04T05:06:07Z");
        try (FaultGateway g = FaultGateway.start(CONFIG, Map.of(), o -> o.activeProbes(false).clock(clock))) {
            g.upstream.behaviour("switch", ex -> ex.error(500, "server_error", null, "scripted failure"));
            for (int i = 0; i < 3; i++) assertThat(call(g).statusCode()).isEqualTo(502);
            assertThat(call(g).statusCode()).isEqualTo(503);
            clock.advance(Duration.ofSeconds(31));
            assertThat(call(g).statusCode()).as("the trial went through and failed").isEqualTo(502);
            assertThat(g.upstream.requests()).hasSize(4);
            assertThat(call(g).statusCode()).as("re-opened").isEqualTo(503);
            assertThat(g.upstream.requests()).hasSize(4);
            assertThat(state(g)).isEqualTo("open");
        }
    }

    private static HttpResponse<String> call(FaultGateway g) {
        return g.post("/v1/chat/completions", FaultGateway.chat("m", false, "hi"));
    }

    private static CompletableFuture<HttpResponse<String>> callAsync(FaultGateway g) {
        return g.http.sendAsync(g.request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(FaultGateway.chat("m", false, "hi"))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String state(FaultGateway g) {
        for (JsonNode p : Json.parse(g.get("/status").body()).get("providers")) {
            if (p.get("name").asText().equals("flaky")) return p.get("state").asText();
        }
        throw new AssertionError("no provider flaky in /status");
    }
}
