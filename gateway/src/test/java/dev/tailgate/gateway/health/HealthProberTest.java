package dev.tailgate.gateway.health;

import dev.tailgate.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Probes real HTTP servers on 127.0.0.1 standing in for qwen-local and a hosted provider. */
@Timeout(20)
class HealthProberTest {
    private final MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
    private final AtomicReference<String> statusBody = new AtomicReference<>();
    private final AtomicReference<Integer> statusCode = new AtomicReference<>(200);
    private final AtomicReference<String> seenAuth = new AtomicReference<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private HealthRegistry registry;

    private HttpServer start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/status", ex -> {
            byte[] b = statusBody.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(statusCode.get(), b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/v1/models", ex -> {
            seenAuth.set(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] b = "{\"object\":\"list\",\"data\":[{\"id\":\"deepseek-chat\"}]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(statusCode.get(), b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/hang/v1/models", ex -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        return server;
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) server.stop(0);
    }

    private URI base(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private HealthProber prober(ProbeTarget target, Duration timeout) {
        registry = new HealthRegistry(Map.of(target.provider(), target.kind() == ProbeTarget.Kind.QWEN_STATUS),
                BreakerSettings.DEFAULTS, clock);
        return new HealthProber(registry, java.util.List.of(target), clock, timeout, (provider, result) -> {});
    }

    @Test
    void qwenStatusRoutesAroundStuckAndUnavailableModels() throws Exception {
        start();
        statusBody.set("""
                {"status":"degraded","models":[
                  {"id":"qwen-a","capability":"chat","state":"ready"},
                  {"id":"qwen-b","capability":"chat","state":"stuck","reason":"no token for 61s"},
                  {"id":"qwen-c","capability":"chat","state":"unavailable","reason":"run ./tailgate models pull qwen-c"},
                  {"id":"qwen-d","capability":"chat","state":"unloaded"},
                  {"id":"qwen-e","capability":"chat","state":"busy"}]}""");
        try (HealthProber p = prober(new ProbeTarget("local", base("/v1"), null, ProbeTarget.Kind.QWEN_STATUS), Duration.ofSeconds(5))) {
            p.probeAll().get(10, TimeUnit.SECONDS);
        }
        assertThat(registry.check("local", "qwen-a").usable()).isTrue();
        assertThat(registry.check("local", "qwen-d").usable()).as("unloaded loads on demand").isTrue();
        assertThat(registry.check("local", "qwen-b").usable()).isFalse();
        assertThat(registry.check("local", "qwen-b").reason()).contains("stuck");
        assertThat(registry.check("local", "qwen-c").reason()).contains("unavailable");
        assertThat(registry.check("local", "nope").usable()).as("absent from qwen-local's complete list").isFalse();
        assertThat(registry.check("local", "qwen-e").usable()).isFalse();
        assertThat(registry.check("local", "qwen-e").soft()).as("busy is a last resort, not a refusal").isTrue();
        assertThat(registry.check("local", "qwen-b").soft()).isFalse();
        assertThat(registry.provider("local").orElseThrow().state()).isEqualTo(HealthState.DEGRADED);
    }

    @Test
    void refusedConnectionMarksDownAndARecoveredProbeMarksUp() throws Exception {
        start();
        int port = server.getAddress().getPort();
        statusBody.set("{\"status\":\"ok\",\"models\":[{\"id\":\"m\",\"state\":\"ready\"}]}");
        server.stop(0);
        ProbeTarget t = new ProbeTarget("local", URI.create("http://127.0.0.1:" + port + "/v1"), null, ProbeTarget.Kind.QWEN_STATUS);
        try (HealthProber p = prober(t, Duration.ofSeconds(5))) {
            var r = p.probe(t).get(10, TimeUnit.SECONDS);
            assertThat(r.reachable()).isFalse();
            assertThat(registry.provider("local").orElseThrow().state()).isEqualTo(HealthState.DOWN);
            assertThat(registry.check("local", "m").usable()).isFalse();

            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/status", ex -> {
                byte[] b = statusBody.get().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
                ex.close();
            });
            server.start();
            p.probe(t).get(10, TimeUnit.SECONDS);
            assertThat(registry.provider("local").orElseThrow().state()).isEqualTo(HealthState.HEALTHY);
            assertThat(registry.check("local", "m").usable()).isTrue();
        }
    }

    @Test
    void serverErrorMarksDownButClientErrorOnlyNotesIt() throws Exception {
        start();
        ProbeTarget t = new ProbeTarget("deepseek", base("/v1"), "sk-secret-123", ProbeTarget.Kind.MODELS);
        try (HealthProber p = prober(t, Duration.ofSeconds(5))) {
            statusCode.set(503);
            p.probe(t).get(10, TimeUnit.SECONDS);
            assertThat(registry.provider("deepseek").orElseThrow().state()).as("one failed probe is a blip").isEqualTo(HealthState.DEGRADED);
            assertThat(registry.check("deepseek", "deepseek-chat").usable()).isTrue();
            p.probe(t).get(10, TimeUnit.SECONDS);
            assertThat(registry.provider("deepseek").orElseThrow().state()).isEqualTo(HealthState.DOWN);
            assertThat(registry.check("deepseek", "deepseek-chat").usable()).isFalse();
            statusCode.set(401);
            p.probe(t).get(10, TimeUnit.SECONDS);
            ProviderHealth h = registry.provider("deepseek").orElseThrow();
            assertThat(h.state()).isEqualTo(HealthState.DEGRADED);
            assertThat(h.lastError()).contains("401").doesNotContain("sk-secret");
            statusCode.set(200);
            p.probe(t).get(10, TimeUnit.SECONDS);
            assertThat(h.state()).isEqualTo(HealthState.HEALTHY);
            assertThat(registry.check("deepseek", "a-model-not-listed").usable()).as("hosted lists are not authoritative").isTrue();
        }
        assertThat(seenAuth.get()).isEqualTo("Bearer sk-secret-123");
        assertThat(t.toString()).doesNotContain("sk-secret");
    }

    @Test
    void aHangingProviderTimesOutAndIsDown() throws Exception {
        start();
        ProbeTarget t = new ProbeTarget("slow", base("/hang/v1"), null, ProbeTarget.Kind.MODELS);
        try (HealthProber p = prober(t, Duration.ofMillis(300))) {
            var r = p.probe(t).get(10, TimeUnit.SECONDS);
            assertThat(r.reachable()).isFalse();
            assertThat(r.error()).isEqualTo("probe timed out");
            assertThat(registry.check("slow", "x").usable()).as("one timeout is not an outage").isTrue();
            p.probe(t).get(10, TimeUnit.SECONDS);
        }
        assertThat(registry.check("slow", "x").usable()).isFalse();
    }

    @Test
    void openBreakerIsReportedAsOpenAndRoutedAround() {
        registry = new HealthRegistry(Map.of("p", false), BreakerSettings.DEFAULTS, clock);
        ProviderHealth h = registry.provider("p").orElseThrow();
        for (int i = 0; i < BreakerSettings.DEFAULTS.consecutiveFailures(); i++) h.begin().orElseThrow().failure();
        assertThat(h.state()).isEqualTo(HealthState.OPEN);
        assertThat(registry.check("p", "m").reason()).contains("circuit open for another 30s");
        assertThat(registry.check("p", "m").retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(registry.snapshot()).singleElement().satisfies(s -> assertThat(s.state()).isEqualTo(HealthState.OPEN));
        assertThat(registry.check("unknown", "m").usable()).isFalse();
    }
}
