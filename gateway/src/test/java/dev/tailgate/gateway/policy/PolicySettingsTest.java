package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tailgate.gateway.health.ProbeTarget;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PolicySettingsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }

    @Test
    void readsProvidersModelsClientsPricingAndHealthPolicyKeys() throws Exception {
        PolicySettings s = PolicySettings.from(yaml("""
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
                """), Path.of("/etc/tailgate"));
        assertThat(s.providers().get("local").local()).isTrue();
        assertThat(s.providers().get("local").healthCheck()).isEqualTo(ProbeTarget.Kind.QWEN_STATUS);
        assertThat(s.providers().get("deepseek").local()).isFalse();
        assertThat(s.providers().get("deepseek").healthCheck()).isEqualTo(ProbeTarget.Kind.MODELS);

        ModelRoute qwen = s.models().get("qwen");
        assertThat(qwen.fallback()).isTrue();
        assertThat(qwen.privateModel()).isFalse();
        assertThat(qwen.targets()).extracting(RouteTarget::id).containsExactly("local/qwen2.5-0.5b-instruct", "deepseek/deepseek-chat");
        assertThat(qwen.targets().get(0).local()).isTrue();
        assertThat(qwen.targets().get(0).contextWindow()).isEqualTo(4096);
        assertThat(qwen.targets().get(1).local()).isFalse();
        assertThat(qwen.targets().get(1).contextWindow()).isNull();
        assertThat(s.models().get("secret").privateModel()).isTrue();
        assertThat(s.models().get("secret").fallback()).isFalse();

        assertThat(s.clients().get("laptop").privateClient()).isTrue();
        assertThat(s.clients().get("laptop").limits().rpm()).isEqualTo(60);
        assertThat(s.clients().get("laptop").limits().budgetUsdPerDay()).isEqualTo(2.5);
        assertThat(s.clients().get("laptop").limits().budgetUsdPerMonth()).isNull();
        assertThat(s.pricing().costUsd("deepseek", "deepseek-chat", "qwen", 1_000_000, 0)).isEqualTo(0.27);
        assertThat(s.breaker().coolDown()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.auditLog()).isEqualTo(Path.of("/etc/tailgate/audit.jsonl"));
        assertThat(s.ledger()).isEqualTo(Path.of("/var/tmp/usage.db"));
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> PolicySettings.from(yaml("providers: {p: {local: maybe}}"), null))
                .hasMessageStartingWith("providers.p.local:");
        assertThatThrownBy(() -> PolicySettings.from(yaml("models: {m: {targets: [nope/x]}}"), null))
                .hasMessageContaining("models.m.targets: unknown provider 'nope'");
        assertThatThrownBy(() -> PolicySettings.from(yaml("providers: {p: {}}\nmodels: {m: {targets: [p/x], capability: vision}}"), null))
                .hasMessageStartingWith("models.m.capability:");
        assertThatThrownBy(() -> PolicySettings.from(yaml("clients: {c: {budget_usd_per_day: -3}}"), null))
                .hasMessageStartingWith("clients.c.budget_usd_per_day:");
        assertThatThrownBy(() -> PolicySettings.from(yaml("health: {error_rate: 3}"), null))
                .hasMessageStartingWith("health");
    }

    @Test
    void defaultsWhenKeysAreAbsent() throws Exception {
        PolicySettings s = PolicySettings.from(yaml("providers: {p: {}}"), null);
        assertThat(s.providers().get("p").healthCheck()).isEqualTo(ProbeTarget.Kind.MODELS);
        assertThat(s.auditLog()).isNull();
        assertThat(s.ledger()).isNull();
        assertThat(s.auditRing()).isEqualTo(1000);
        assertThat(s.auditMaxBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(PolicySettings.from(yaml("audit_log_max_size: 1MiB"), null).auditMaxBytes()).isEqualTo(1024 * 1024);
        assertThatThrownBy(() -> PolicySettings.from(yaml("audit_log_max_size: lots"), null)).hasMessageStartingWith("audit_log_max_size:");
    }
}
