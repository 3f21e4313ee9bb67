package dev.tailgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.gateway.health.BreakerSettings;
import dev.tailgate.gateway.health.ProbeTarget;
import dev.tailgate.gateway.policy.PolicyRuntime;
import dev.tailgate.gateway.policy.PolicySettings;
import dev.tailgate.testing.DocTables;
import dev.tailgate.wire.ByteSizes;
import dev.tailgate.wire.Durations;
import dev.tailgate.wire.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/gateway-config.md says what the loaders do: it lists exactly the keys they accept (the sets in
 * {@link ConfigKeys}), and each documented default is the value a config without that key gets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocumentedGatewayConfigTest {
    private static final DocTables DOC = DocTables.read("gateway-config.md");

    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader(new SecretResolver(Map.of()));

    /** Documented keys under {@code prefix} (e.g. {@code providers.NAME.}), without it; top level for "". */
    private static Set<String> documented(String prefix) {
        return DOC.rows().keySet().stream()
                .filter(k -> prefix.isEmpty() ? !k.contains(".") : k.startsWith(prefix))
                .map(k -> k.substring(prefix.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everySectionListsExactlyTheKeysTheLoaderAccepts() {
        assertThat(documented("")).as("top level").isEqualTo(new TreeSet<>(ConfigKeys.TOP));
        assertThat(documented("providers.NAME.")).as("providers.NAME").isEqualTo(new TreeSet<>(ConfigKeys.PROVIDER));
        assertThat(documented("models.ID.")).as("models.ID").isEqualTo(new TreeSet<>(ConfigKeys.MODEL));
        assertThat(documented("clients.NAME.")).as("clients.NAME").isEqualTo(new TreeSet<>(ConfigKeys.CLIENT));
        assertThat(documented("health.")).as("health").isEqualTo(new TreeSet<>(ConfigKeys.HEALTH));
        assertThat(documented("pricing.MODEL.")).as("pricing.MODEL").isEqualTo(new TreeSet<>(ConfigKeys.PRICE));
        assertThat(documented("<clients_file>.")).as("the clients file").isEqualTo(new TreeSet<>(ConfigKeys.CLIENTS_FILE));
        // nothing documented outside the sections this test checks
        assertThat(DOC.rows().keySet()).allMatch(k -> !k.contains(".") || k.startsWith("providers.NAME.") || k.startsWith("models.ID.")
                || k.startsWith("clients.NAME.") || k.startsWith("health.") || k.startsWith("pricing.MODEL.")
                || k.startsWith("<clients_file>."));
    }

    @Test
    void everyRowHasTypeDefaultAndMeaning() {
        DOC.rows().values().forEach(r -> {
            assertThat(r.cells()).as(r.key()).hasSize(4);
            assertThat(r.cells()).as(r.key()).allMatch(c -> !c.isBlank());
        });
    }

    @Test
    void theClientsFileAcceptsExactlyTheDocumentedTopLevelKey() throws IOException {
        Files.writeString(dir.resolve("clients.yaml"), "bogus_key: 1\n");
        Path config = write("listen: 127.0.0.1:0\n");
        assertThatThrownBy(() -> loader.load(config)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(knownKeys(e.getMessage())).isEqualTo(documented("<clients_file>.")));
    }

    /** The policy reads health.* and pricing.* by name from the document: each documented (= accepted) key is really read. */
    @Test
    void everyDocumentedHealthAndPricingKeyIsRead() throws IOException {
        for (String key : documented("health.")) {
            Path file = write("health: {" + key + ": 'not-a-value'}");
            assertThatThrownBy(() -> PolicySettings.from(loader.load(file)))
                    .as("health." + key).hasMessageStartingWith("gateway.yaml line 1: health." + key + ": ");
        }
        for (String key : documented("pricing.MODEL.")) {
            Path file = write("pricing: {m: {" + key + ": 'not-a-value'}}");
            assertThatThrownBy(() -> PolicySettings.from(loader.load(file)))
                    .as("pricing.MODEL." + key).hasMessageStartingWith("gateway.yaml line 1: pricing.m." + key + ": ");
        }
        assertThat(documented("health.")).isNotEmpty();
        assertThat(documented("pricing.MODEL.")).isNotEmpty();
    }

    @Test
    void documentedDefaultsAreTheLoadersDefaults() throws IOException {
        GatewayConfig c = loader.load(write("""
                providers:
                  p: {base_url: "http://127.0.0.1:9/v1"}
                models:
                  m: {targets: [p/x]}
                clients:
                  c: {key_sha256: "%s"}
                """.formatted("0".repeat(64))));
        PolicySettings policy = PolicySettings.from(c);
        ProviderConfig p = c.providers().get("p");
        ModelRoute m = c.models().get("m");
        ClientConfig client = c.clients().get("c");
        BreakerSettings breaker = policy.breaker();

        Map<String, Object> actual = new LinkedHashMap<>();
        actual.put("listen", c.host() + ":" + c.port());
        actual.put("max_body", c.maxBody());
        actual.put("body_budget", c.bodyBudget());
        actual.put("max_response", p.maxResponse());
        actual.put("client_timeout", c.clientTimeout());
        actual.put("log_prompts", c.logPrompts());
        actual.put("audit_ring", policy.auditRing());
        actual.put("audit_log_max_size", policy.auditMaxBytes());
        actual.put("ledger_queue", policy.ledgerQueue());
        actual.put("providers.NAME.local", p.local());
        actual.put("providers.NAME.max_concurrency", p.maxConcurrency());
        actual.put("providers.NAME.max_queue", p.maxQueue());
        actual.put("providers.NAME.queue_timeout", p.queueTimeout());
        actual.put("providers.NAME.timeout", p.timeout());
        actual.put("providers.NAME.responses_api", p.responsesApi());
        actual.put("providers.NAME.messages_api", p.messagesApi());
        actual.put("providers.NAME.health_check", policy.providers().get("p").healthCheck());
        actual.put("models.ID.fallback", m.fallback());
        actual.put("models.ID.private", m.privateOnly());
        actual.put("clients.NAME.private", client.privateOnly());
        actual.put("clients.NAME.admin", client.admin());
        actual.put("clients.NAME.models", client.models().toString().replace("[", "[\"").replace("]", "\"]"));
        actual.put("clients.NAME.rpm", (int) policy.clients().get("c").limits().rpm());
        actual.put("clients.NAME.tpm", (int) policy.clients().get("c").limits().tpm());
        actual.put("health.probe_interval", policy.probeInterval());
        actual.put("health.probe_timeout", policy.probeTimeout());
        actual.put("health.consecutive_failures", breaker.consecutiveFailures());
        actual.put("health.error_rate", breaker.errorRate());
        actual.put("health.min_calls", breaker.minCallsInWindow());
        actual.put("health.window", breaker.window());
        actual.put("health.cool_down", breaker.coolDown());
        actual.put("health.max_retry_after", breaker.maxRetryAfter());

        // models.ID.capability has no default value: unset, the targets' capabilities are unknown and never checked
        assertThat(m.targets().getFirst().capabilities()).isEmpty();
        assertThat(DOC.rows().get("models.ID.capability").cell(2)).isEqualTo("unset");

        actual.forEach((key, value) -> {
            DocTables.Row row = DOC.rows().get(key);
            assertThat(row).as(key + " is documented").isNotNull();
            String doc = row.code(2);
            assertThat(doc).as(key + ": the default cell names a value").isNotNull();
            Object expected = switch (value) {
                case ProbeTarget.Kind k -> ProbeTarget.Kind.parse(doc, p.local());
                case Boolean b -> Boolean.parseBoolean(doc);
                case Duration d -> Durations.parse(doc);
                case Long l -> ByteSizes.parse(doc);
                case Integer i -> Integer.parseInt(doc);
                case Double d -> Double.parseDouble(doc);
                default -> doc;
            };
            assertThat(value).as(key + " default").isEqualTo(expected);
        });
        // derived defaults, said in words
        assertThat(DOC.rows().get("providers.NAME.first_token_timeout").code(2)).isEqualTo("timeout");
        assertThat(p.firstTokenTimeout()).isEqualTo(p.timeout());
        assertThat(DOC.rows().get("providers.NAME.idle_timeout").code(2)).isEqualTo("timeout");
        assertThat(p.idleTimeout()).isEqualTo(p.timeout());
        assertThat(DOC.rows().get("providers.NAME.max_response").code(2)).isEqualTo("max_response");
        assertThat(DOC.rows().get("audit_log").code(2)).isEqualTo(PolicyRuntime.DEFAULT_AUDIT_LOG);
        assertThat(DOC.rows().get("ledger").code(2)).isEqualTo(PolicyRuntime.DEFAULT_LEDGER);
        assertThat(DOC.rows().get("clients_file").code(2)).isEqualTo("clients.yaml");
    }

    private Path write(String yaml) throws IOException {
        Path p = dir.resolve("gateway.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    /** The "known: a, b" list of an unknown-key refusal. */
    private static Set<String> knownKeys(String message) {
        Matcher km = Pattern.compile("known: ([^)]*)\\)").matcher(message);
        assertThat(km.find()).as(message).isTrue();
        return new TreeSet<>(Set.of(km.group(1).split(", ")));
    }
}
