package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import dev.tailgate.gateway.ledger.GroupBy;
import dev.tailgate.gateway.ledger.UsageRecord;
import dev.tailgate.gateway.limit.Timers;
import dev.tailgate.wire.Json;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The boundary wired from a YAML config against a real loopback "qwen-local" /status, with real probes and SQLite. */
@Timeout(30)
class PolicyBoundaryTest {
    @TempDir
    Path dir;

    @Test
    void probesRouteAroundAStuckLocalModelAndEverythingIsAuditedAndLedgered() throws Exception {
        AtomicReference<String> state = new AtomicReference<>("ready");
        HttpServer qwen = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        qwen.createContext("/status", ex -> {
            byte[] b = ("{\"status\":\"ok\",\"models\":[{\"id\":\"qwen2.5\",\"capability\":\"chat\",\"state\":\""
                    + state.get() + "\"}]}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        qwen.start();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree("""
                audit_log: audit.jsonl
                ledger: usage.db
                health: {probe_interval: 50ms, probe_timeout: 2s}
                providers:
                  local: {local: true, max_concurrency: 1, max_queue: 2}
                  deepseek: {health_check: off}
                models:
                  qwen:
                    targets: [local/qwen2.5, deepseek/deepseek-chat]
                    fallback: true
                clients:
                  laptop: {private: true}
                  ci: {rpm: 100}
                pricing:
                  deepseek-chat: {input_per_million: 1.0, output_per_million: 2.0}
                """);
        PolicySettings settings = PolicySettings.from(config, dir);
        Map<String, PolicyBoundary.ProviderEndpoint> endpoints = Map.of(
                "local", new PolicyBoundary.ProviderEndpoint(URI.create("http://127.0.0.1:" + qwen.getAddress().getPort() + "/v1"), null),
                "deepseek", new PolicyBoundary.ProviderEndpoint(URI.create("http://127.0.0.1:9/v1"), "sk-never-shown"));
        try (PolicyBoundary pb = PolicyBoundary.start(settings, endpoints, Clock.systemUTC(), System::nanoTime,
                Timers.of(scheduler), scheduler)) {
            pb.prober().probeAll().get(10, TimeUnit.SECONDS);
            RoutePlan ok = pb.decide(new RouteRequest("a", "ci", false, false, "qwen", Capability.CHAT, 5));
            assertThat(ok.chosen().orElseThrow().provider()).isEqualTo("local");

            state.set("stuck");
            // Poll until a scheduled probe saw it (bounded), not a sleep-and-hope.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pb.health().check("local", "qwen2.5").usable() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(pb.health().check("local", "qwen2.5").usable()).isFalse();

            RoutePlan plain = pb.decide(new RouteRequest("b", "ci", false, false, "qwen", Capability.CHAT, 5));
            assertThat(plain.chosen().orElseThrow().provider()).isEqualTo("deepseek");
            RoutePlan priv = pb.decide(new RouteRequest("c", "laptop", pb.clientIsPrivate("laptop"), false, "qwen", Capability.CHAT, 5));
            assertThat(priv.refusal().code()).isEqualTo("no_private_route");
            RoutePlan unknown = pb.decide(new RouteRequest("d", "ci", false, false, "nope", Capability.CHAT, 5));
            assertThat(unknown.refusal().code()).isEqualTo("model_not_found");

            assertThat(pb.admitClient("ci", 5)).isEmpty();
            RouteAttempts tries = pb.attempts(plain);
            RouteAttempts.Lease lease = tries.next().get(5, TimeUnit.SECONDS).orElseThrow();
            lease.succeeded();
            double cost = pb.settle("ci", lease.target(), "qwen", 5, 1_000_000, 500_000);
            assertThat(cost).isEqualTo(2.0);
            pb.ledger().orElseThrow().append(new UsageRecord("b", Instant.now(), "ci", "qwen", "deepseek", "deepseek-chat",
                    1_000_000, 500_000, cost, 30, 10L, 200, null, false)).get(5, TimeUnit.SECONDS);
            var summary = pb.ledger().orElseThrow().summary(Instant.now().minusSeconds(60), Instant.now().plusSeconds(60), Set.of(GroupBy.CLIENT));
            assertThat(summary).singleElement().satisfies(s -> assertThat(s.costUsd()).isEqualTo(2.0));

            String status = Json.string(PolicyStatus.providers(pb.health(), pb.admission()));
            assertThat(status).contains("\"name\":\"local\"").contains("\"state\":\"degraded\"").contains("stuck")
                    .doesNotContain("sk-never-shown");
            assertThat(PolicyStatus.overall(pb.health())).isEqualTo("degraded");
            assertThat(PolicyStatus.audit(pb.audit(), 10)).hasSize(4);
            assertThat(endpoints.get("deepseek").toString()).doesNotContain("sk-");
        } finally {
            scheduler.shutdownNow();
            qwen.stop(0);
        }
        assertThat(Files.readAllLines(dir.resolve("audit.jsonl"))).hasSize(4)
                .allMatch(l -> !l.contains("sk-never-shown"));
    }
}
