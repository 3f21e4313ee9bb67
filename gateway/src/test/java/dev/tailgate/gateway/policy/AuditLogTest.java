package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.config.Capability;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.health.TargetHealth;
import dev.tailgate.gateway.health.HealthView;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.MutableClock;
import dev.tailgate.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class AuditLogTest {
    @TempDir
    Path dir;

    private static final Target LOCAL = Target.of("local", "qwen", true);
    private static final Target EXT = Target.of("deepseek", "deepseek-chat", false);

    @Test
    void everyDecisionIsAJsonLineAndTheRingKeepsTheLastN() throws Exception {
        Path file = dir.resolve("logs/audit.jsonl");
        MutableClock clock = MutableClock.at("2026-03-04T05:06:07Z");
        try (AuditLog log = new AuditLog(file, 2, clock)) {
            for (int i = 0; i < 3; i++) {
                RouteRequest r = new RouteRequest("req-" + i, "laptop", i == 2, false, "qwen", Capability.CHAT, 1);
                HealthView h = i == 2 ? (p, m) -> TargetHealth.unusable("circuit open for another 3s") : HealthView.ALL_HEALTHY;
                log.record(RoutingPolicy.plan(r, new ModelRoute("qwen", List.of(LOCAL, EXT), true, false), h));
            }
            assertThat(log.recent(10)).extracting(AuditEntry::requestId).containsExactly("req-1", "req-2");
            assertThat(log.recent(1)).extracting(AuditEntry::requestId).containsExactly("req-2");
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        JsonNode first = Json.parse(lines.get(0));
        assertThat(first.get("time").asText()).isEqualTo("2026-03-04T05:06:07Z");
        assertThat(first.get("request_id").asText()).isEqualTo("req-0");
        assertThat(first.get("client").asText()).isEqualTo("laptop");
        assertThat(first.get("model").asText()).isEqualTo("qwen");
        assertThat(first.get("private").asBoolean()).isFalse();
        assertThat(first.get("chosen").asText()).isEqualTo("local/qwen");
        assertThat(first.get("refusal").isNull()).isTrue();

        JsonNode last = Json.parse(lines.get(2));
        assertThat(last.get("private").asBoolean()).isTrue();
        assertThat(last.get("chosen").isNull()).isTrue();
        assertThat(last.get("refusal").asText()).isEqualTo("no_private_route");
        assertThat(last.get("rejected")).hasSize(2);
        assertThat(last.get("rejected").get(0).get("target").asText()).isEqualTo("local/qwen");
        assertThat(last.get("rejected").get(0).get("reason").asText()).isEqualTo("unhealthy");
        assertThat(last.get("rejected").get(1).get("reason").asText()).isEqualTo("external_provider_for_private");
    }

    @Test
    void reopeningAppends() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        MutableClock clock = MutableClock.at("2026-03-04T05:06:07Z");
        RoutePlan plan = RoutingPolicy.plan(new RouteRequest("a", "c", false, false, "qwen", Capability.CHAT, 0),
                new ModelRoute("qwen", List.of(EXT), false, false), HealthView.ALL_HEALTHY);
        try (AuditLog log = new AuditLog(file, 5, clock)) {
            log.record(plan);
        }
        try (AuditLog log = new AuditLog(file, 5, clock)) {
            log.record(plan);
        }
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    @Test
    void theFileIsRotatedSoItNeverGrowsWithoutBound() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        MutableClock clock = MutableClock.at("2026-03-04T05:06:07Z");
        try (AuditLog log = new AuditLog(file, 5, 1_000, clock)) {
            for (int i = 0; i < 40; i++) {
                log.record(RoutingPolicy.plan(new RouteRequest("req-" + i, "c", false, false, "qwen", Capability.CHAT, 0),
                        new ModelRoute("qwen", List.of(EXT), false, false), HealthView.ALL_HEALTHY));
            }
        }
        Path old = dir.resolve("audit.jsonl.1");
        assertThat(Files.size(file)).isLessThanOrEqualTo(1_000);
        assertThat(Files.size(old)).isLessThanOrEqualTo(1_000);
        List<String> current = Files.readAllLines(file);
        assertThat(current.getLast()).contains("req-39");
        assertThat(Json.parse(Files.readAllLines(old).getFirst()).get("request_id").asText()).startsWith("req-");
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(2);
        }
    }
}
