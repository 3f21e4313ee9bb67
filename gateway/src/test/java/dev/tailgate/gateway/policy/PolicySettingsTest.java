package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.config.SecretResolver;
import dev.tailgate.gateway.health.ProbeTarget;
import dev.tailgate.wire.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class PolicySettingsTest {
    private static final String P = "providers: {p: {base_url: \"http://127.0.0.1:9/v1\"}}\n";

    @TempDir
    Path dir;

    /** The policy keys as the gateway reads them: the file loaded by the config loader, then {@link PolicySettings}. */
    private PolicySettings yaml(String text) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, text);
        return PolicySettings.from(new ConfigLoader(new SecretResolver(Map.of())).load(file));
    }

    @Test
    void readsProvidersClientsPricingAndHealthPolicyKeys() throws Exception {
        PolicySettings s = yaml("""
                listen: 127.0.0.1:8080
                audit_log: audit.jsonl
                ledger: /var/tmp/usage.db
                providers:
                  local:
                    base_url: http://127.0.0.1:8081/v1
                    local: true
                    max_concurrency: 1
                    max_queue: 8
                    queue_timeout: 45s
                    timeout: 120s
                  deepseek:
                    base_url: https://api.deepseek.com/v1
                    api_key: env:DEEPSEEK_API_KEY
                models:
                  qwen:
                    targets: [local/qwen2.5-0.5b-instruct, deepseek/deepseek-chat]
                    fallback: true
                    context_windows: {local/qwen2.5-0.5b-instruct: 4096}
                  secret:
                    targets: [local/qwen2.5-0.5b-instruct]
                    private: true
                clients:
                  laptop:
                    key: env:TG_LAPTOP_KEY
                    private: true
                    rpm: 60
                    tpm: 100000
                    budget_usd_per_day: 2.5
                pricing:
                  deepseek-chat: {input_per_million: 0.27, output_per_million: 1.10}
                health:
                  cool_down: 10s
                """);
        assertThat(s.providers().get("local").local()).isTrue();
        assertThat(s.providers().get("local").healthCheck()).isEqualTo(ProbeTarget.Kind.QWEN_STATUS);
        assertThat(s.providers().get("deepseek").local()).isFalse();
        assertThat(s.providers().get("deepseek").healthCheck()).isEqualTo(ProbeTarget.Kind.MODELS);

        assertThat(s.clients().get("laptop").privateClient()).isTrue();
        assertThat(s.clients().get("laptop").limits().rpm()).isEqualTo(60);
        assertThat(s.clients().get("laptop").limits().budgetUsdPerDay()).isEqualTo(2.5);
        assertThat(s.clients().get("laptop").limits().budgetUsdPerMonth()).isNull();
        assertThat(s.pricing().costUsd("deepseek", "deepseek-chat", "qwen", 1_000_000, 0)).isEqualTo(0.27);
        assertThat(s.breaker().coolDown()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.auditLog()).isEqualTo(dir.resolve("audit.jsonl"));
        assertThat(s.ledger()).isEqualTo(Path.of("/var/tmp/usage.db"));
    }

    /** One invalid value per policy key family: the refusal is "FILE line N: key.path: problem", as the loader's own. */
    @Test
    void errorsNameFileLineAndKey() {
        assertRefused(P.replace("}}", ", health_check: sometimes}}"), "gateway.yaml line 1: providers.p.health_check: ");
        assertRefused("clients:\n  c:\n    key_sha256: \"" + "0".repeat(64) + "\"\n    rpm: lots\n",
                "gateway.yaml line 4: clients.c.rpm: must be a whole number");
        assertRefused("clients:\n  c:\n    key_sha256: \"" + "0".repeat(64) + "\"\n\n    budget_usd_per_day: -3\n",
                "gateway.yaml line 5: clients.c.budget_usd_per_day: must be >= 0");
        assertRefused("pricing:\n  m:\n    input_per_million: cheap\n", "gateway.yaml line 3: pricing.m.input_per_million: must be a number");
        assertRefused("pricing:\n  m: 3\n", "gateway.yaml line 2: pricing.m: must be a mapping");
        assertRefused("health:\n  window: soon\n", "gateway.yaml line 2: health.window: ");
        assertRefused("health:\n  probe_interval: 0\n", "gateway.yaml line 2: health.probe_interval: must be longer than 0");
        assertRefused("\nhealth:\n  error_rate: 3\n", "gateway.yaml line 3: health.error_rate: must be in (0, 1]");
        assertRefused("health: {cool_down: -5s}\n", "gateway.yaml line 1: health.cool_down: ");
        assertRefused("health: 5\n", "gateway.yaml line 1: health: must be a mapping");
        assertRefused("audit_ring: 0\n", "gateway.yaml line 1: audit_ring: must be at least 1");
        assertRefused("# c\naudit_log_max_size: lots\n", "gateway.yaml line 2: audit_log_max_size: ");
        assertRefused("ledger_queue: many\n", "gateway.yaml line 1: ledger_queue: must be a whole number");
        assertRefused("ledger: [a]\n", "gateway.yaml line 1: ledger: must be a path or off");
    }

    @Test
    void aClientsFileErrorNamesThatFileAndItsLine() throws IOException {
        Files.writeString(dir.resolve("clients.yaml"), "clients:\n  fromfile:\n    key_sha256: \"" + "ab".repeat(32)
                + "\"\n    tpm: -5\n");
        assertRefused("listen: 127.0.0.1:0\n", "clients.yaml line 4: clients.fromfile.tpm: must be at least 0");
    }

    private void assertRefused(String gatewayYaml, String messageStart) {
        assertThatThrownBy(() -> yaml(gatewayYaml)).as(gatewayYaml).isInstanceOf(ConfigException.class).hasMessageStartingWith(messageStart);
    }

    @Test
    void defaultsWhenKeysAreAbsent() throws Exception {
        PolicySettings s = yaml(P);
        assertThat(s.providers().get("p").healthCheck()).isEqualTo(ProbeTarget.Kind.MODELS);
        assertThat(s.auditLog()).isEqualTo(dir.resolve(PolicyRuntime.DEFAULT_AUDIT_LOG));
        assertThat(s.ledger()).isEqualTo(dir.resolve(PolicyRuntime.DEFAULT_LEDGER));
        assertThat(s.auditRing()).isEqualTo(1000);
        assertThat(s.auditMaxBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(yaml("audit_log_max_size: 1MiB").auditMaxBytes()).isEqualTo(1024 * 1024);
        PolicySettings off = yaml("audit_log: off\nledger: 'off'\n");
        assertThat(off.auditLog()).isNull();
        assertThat(off.ledger()).isNull();
    }
}
