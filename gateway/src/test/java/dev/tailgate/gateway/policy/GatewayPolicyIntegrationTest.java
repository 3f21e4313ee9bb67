package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import dev.tailgate.wire.Json;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real gateway (config, auth, dispatcher, relay) with the policy selector plugged in through
 * {@link GatewayPolicy#install}: a local provider that is down, an external one (scripted fake upstream on 127.0.0.1).
 * Private requests — by header, by client key, by model — must get 503 no_private_route and reach no external provider.
 */
@Timeout(60)
class GatewayPolicyIntegrationTest {
    private static final String CLOUD_KEY = "sk-cloud-SECRET-123456";
    private static final String TG_KEY = "tg-test-key-1";
    private static final String LAPTOP_KEY = "tg-laptop-key-2";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> chat(int port, String key, String model, boolean privateHeader) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}"));
        if (privateHeader) b.header("X-Tailgate-Private", "true");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Requests that reached the upstream's model endpoints (its /v1/models probes are not work). */
    private static long chatCalls(FakeOpenAiUpstream up) {
        return up.requests().stream().filter(r -> r.method().equals("POST")).count();
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void privateRequestsNeverReachTheExternalProviderThroughTheRealGateway() throws Exception {
        try (FakeOpenAiUpstream cloud = FakeOpenAiUpstream.start()) {
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, """
                    listen: 127.0.0.1:0
                    providers:
                      home:
                        base_url: http://127.0.0.1:%d/v1
                        local: true
                        timeout: 5s
                      cloud:
                        base_url: %s
                        api_key: env:CLOUD_KEY
                        timeout: 5s
                    models:
                      qwen:
                        targets: [home/echo, cloud/echo]
                        fallback: true
                      secret:
                        targets: [home/echo, cloud/echo]
                        fallback: true
                        private: true
                    clients:
                      tester:
                        key: env:TG_KEY
                      laptop:
                        key: env:TG_LAPTOP
                        private: true
                    """.formatted(deadPort(), cloud.baseUrl()));
            AtomicReference<GatewayPolicy.Parts> parts = new AtomicReference<>();
            Path audit = dir.resolve("audit.jsonl");
            GatewayServer.Options options = GatewayPolicy.install(
                    GatewayServer.Options.of(cfg).listen("127.0.0.1", 0)
                            .env(Map.of("CLOUD_KEY", CLOUD_KEY, "TG_KEY", TG_KEY, "TG_LAPTOP", LAPTOP_KEY))
                            .shutdownGrace(Duration.ofSeconds(2)).activeProbes(false),
                    audit, 100, Duration.ofMillis(200), Duration.ofSeconds(5), parts::set);
            try (GatewayServer gw = GatewayServer.start(options)) {
                // Poll (bounded) until a probe found the local provider down.
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (parts.get().health().check("home", "echo").usable() && System.nanoTime() < deadline) Thread.sleep(20);
                assertThat(parts.get().health().check("home", "echo").usable()).isFalse();
                cloud.clear();

                HttpResponse<String> plain = chat(gw.port(), TG_KEY, "qwen", false);
                assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
                assertThat(plain.body()).contains("echo: hello there");
                assertThat(chatCalls(cloud)).isEqualTo(1);

                for (HttpResponse<String> r : List.of(
                        chat(gw.port(), TG_KEY, "qwen", true),        // header
                        chat(gw.port(), LAPTOP_KEY, "qwen", false),   // private client key
                        chat(gw.port(), TG_KEY, "secret", false))) {  // private model
                    assertThat(r.statusCode()).isEqualTo(503);
                    JsonNode err = Json.parse(r.body()).get("error");
                    assertThat(err.get("code").asText()).isEqualTo("no_private_route");
                    assertThat(r.headers().firstValue("Retry-After")).isPresent();
                    assertThat(r.body()).doesNotContain(CLOUD_KEY);
                }
                assertThat(chatCalls(cloud)).as("no private request reached the external provider").isEqualTo(1);

                List<AuditEntry> recent = parts.get().audit().recent(10);
                assertThat(recent).hasSize(4);
                assertThat(recent).extracting(AuditEntry::privateRequest).containsExactly(false, true, true, true);
                assertThat(recent.get(0).chosen()).isEqualTo("cloud/echo");
                assertThat(recent.get(1).refusal()).isEqualTo("no_private_route");
                assertThat(recent.get(2).client()).isEqualTo("laptop");

                HttpResponse<String> admin = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + gw.port() + GatewayPolicy.ADMIN_PATH))
                        .header("Authorization", "Bearer " + TG_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(admin.statusCode()).isEqualTo(200);
                JsonNode view = Json.parse(admin.body());
                assertThat(view.get("decisions")).hasSize(4);
                assertThat(view.get("providers").findValuesAsText("name")).contains("home", "cloud");
                assertThat(admin.body()).contains("\"state\":\"down\"").doesNotContain(CLOUD_KEY);
                HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gw.port() + GatewayPolicy.ADMIN_PATH)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(anonymous.statusCode()).isEqualTo(401);
            }
            List<String> lines = Files.readAllLines(audit);
            assertThat(lines).hasSize(4).noneMatch(l -> l.contains(CLOUD_KEY) || l.contains("hello there"));
        }
    }

    /** The policy limiter inside the real gateway: one slot, one queue place; the waiter times out with 429 queue_full. */
    @Test
    void policyLimiterBoundsTheQueueAndTimesWaitersOutInsideTheRealGateway() throws Exception {
        try (FakeOpenAiUpstream up = FakeOpenAiUpstream.start()) {
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, """
                    listen: 127.0.0.1:0
                    providers:
                      home:
                        base_url: %s
                        local: true
                        max_concurrency: 1
                        max_queue: 1
                        timeout: 30s
                    models:
                      gated:
                        targets: [home/gated-stream]
                    clients:
                      tester:
                        key: env:TG_KEY
                    """.formatted(up.baseUrl()));
            GatewayServer.Options options = GatewayPolicy.install(
                            GatewayServer.Options.of(cfg).listen("127.0.0.1", 0).env(Map.of("TG_KEY", TG_KEY))
                                    .shutdownGrace(Duration.ofSeconds(2)).activeProbes(false),
                            null, 100, null, Duration.ofSeconds(2), null)
                    .limiters(GatewayPolicy.limiters(Duration.ofMillis(500)));
            try (GatewayServer gw = GatewayServer.start(options)) {
                var holder = http.sendAsync(chatRequest(gw.port(), "gated"), HttpResponse.BodyHandlers.ofString());
                assertThat(up.awaitRequests(1, Duration.ofSeconds(10))).isTrue(); // the one slot is taken
                var waiter = http.sendAsync(chatRequest(gw.port(), "gated"), HttpResponse.BodyHandlers.ofString());
                var provider = gw.gateway().providers().get("home");
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (provider.limiter().queued() < 1 && System.nanoTime() < deadline) Thread.sleep(10);
                assertThat(provider.limiter().queued()).isEqualTo(1);

                HttpResponse<String> third = http.send(chatRequest(gw.port(), "gated"), HttpResponse.BodyHandlers.ofString());
                assertThat(third.statusCode()).isEqualTo(429);
                assertThat(Json.parse(third.body()).get("error").get("code").asText()).isEqualTo("queue_full");
                assertThat(third.headers().firstValue("Retry-After")).isPresent();

                HttpResponse<String> timedOut = waiter.get(15, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(timedOut.statusCode()).isEqualTo(429);
                assertThat(timedOut.headers().firstValue("Retry-After")).isPresent();
                assertThat(provider.limiter().queued()).isZero();

                up.gate("gated-stream").complete(null);
                assertThat(holder.get(15, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (provider.limiter().inFlight() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
                assertThat(provider.limiter().inFlight()).isZero();
            }
        }
    }

    private static HttpRequest chatRequest(int port, String model) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TG_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
    }
}
