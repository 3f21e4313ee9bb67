package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.SecretResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The policy keys as the running gateway reads them: main config plus the clients file. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PolicyRuntimeSettingsTest {
    @TempDir
    Path dir;

    @Test
    void clientLimitsComeFromTheMainConfigAndTheClientsFileAndQueueTimeoutsPerProvider() throws Exception {
        Files.writeString(dir.resolve("gateway.yaml"), """
                listen: 127.0.0.1:0
                providers:
                  local: {base_url: "http://127.0.0.1:1/v1", local: true, queue_timeout: 3s}
                  other: {base_url: "http://127.0.0.1:2/v1"}
                models:
                  qwen: {targets: [local/q]}
                clients:
                  main: {key: "env:K1", rpm: 5}
                """);
        Files.writeString(dir.resolve("clients.yaml"), """
                clients:
                  fromfile: {key_sha256: "%s", tpm: 100, budget_usd_per_day: 2}
                """.formatted("ab".repeat(32)));
        GatewayConfig config = new ConfigLoader(new SecretResolver(Map.of("K1", "tg-key-1"))).load(dir.resolve("gateway.yaml"));
        // the clients file is read once, by the loader: the policy takes its limits from what the loader parsed
        Files.delete(dir.resolve("clients.yaml"));
        PolicySettings s = PolicyRuntime.settings(config);
        assertThat(s.clients().get("main").limits().rpm()).isEqualTo(5);
        assertThat(s.clients().get("fromfile").limits().tpm()).isEqualTo(100);
        assertThat(s.clients().get("fromfile").limits().budgetUsdPerDay()).isEqualTo(2.0);
        // queue_timeout is a provider key of the one config (ConfigLoader), default 30s
        assertThat(config.providers().get("local").queueTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.providers().get("other").queueTimeout()).isEqualTo(Duration.ofSeconds(30));
    }
}
