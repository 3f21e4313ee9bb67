package dev.tailgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.wire.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private final ConfigLoader loader = new ConfigLoader(new SecretResolver(Map.of("DEEPSEEK_API_KEY", "sk-ds-secret", "TG_LAPTOP_KEY", "laptop-key")));

    private Path write(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    /** The core keys of docs/gateway-config.md, as a user writes them. */
    private static final String EXAMPLE = """
            listen: 127.0.0.1:8080
            providers:
              local:                                 # a provider name
                base_url: http://127.0.0.1:8081/v1   # any OpenAI-compatible upstream
                api_key: env:LOCAL_KEY               # env:NAME | file:PATH | absent (no key sent)
                local: true
                max_concurrency: 1
                max_queue: 8
                timeout: 120s
              deepseek:
                base_url: https://api.deepseek.com/v1
                api_key: env:DEEPSEEK_API_KEY
            models:
              qwen:
                targets: [local/qwen2.5-0.5b-instruct, deepseek/deepseek-chat]
                fallback: true
                private: false
            clients:
              laptop:
                key: env:TG_LAPTOP_KEY
                private: true
                models: ["*"]
            """;

    @Test
    void readsTheCoreKeysAndDisablesAProviderWhoseKeyIsUnset() throws IOException {
        GatewayConfig c = loader.load(write("gateway.yaml", EXAMPLE));
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.maxBody()).isEqualTo(10L * 1024 * 1024);
        assertThat(c.logPrompts()).isFalse();
        ProviderConfig local = c.providers().get("local");
        assertThat(local.local()).isTrue();
        assertThat(local.maxConcurrency()).isEqualTo(1);
        assertThat(local.maxQueue()).isEqualTo(8);
        assertThat(local.timeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(local.firstTokenTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(local.idleTimeout()).isEqualTo(Duration.ofSeconds(120));
        // LOCAL_KEY is not set: the provider is disabled with a warning, the gateway still starts
        assertThat(local.keyProblem()).contains("LOCAL_KEY");
        assertThat(c.warnings()).anyMatch(w -> w.contains("LOCAL_KEY"));
        ProviderConfig ds = c.providers().get("deepseek");
        assertThat(ds.local()).isFalse();
        assertThat(ds.apiKey().reveal()).isEqualTo("sk-ds-secret");
        assertThat(ds.apiKey().toString()).doesNotContain("sk-ds-secret");
        assertThat(ds.url("/chat/completions")).isEqualTo("https://api.deepseek.com/v1/chat/completions");
        ModelRoute qwen = c.models().get("qwen");
        assertThat(qwen.targets()).extracting(Target::id).containsExactly("local/qwen2.5-0.5b-instruct", "deepseek/deepseek-chat");
        assertThat(qwen.fallback()).isTrue();
        ClientConfig laptop = c.clients().get("laptop");
        assertThat(laptop.keySha256()).isEqualTo(ConfigLoader.sha256("laptop-key"));
        assertThat(laptop.privateOnly()).isTrue();
        assertThat(laptop.models()).containsExactly("*");
    }

    @Test
    void extraKeysAndDefaults() throws IOException {
        GatewayConfig c = loader.load(write("g.yaml", """
                max_body: 1MiB
                log_prompts: true
                providers:
                  p:
                    base_url: http://127.0.0.1:9/v1
                    first_token_timeout: 5s
                    idle_timeout: 2s
                    responses_api: true
                models:
                  m:
                    targets: [p/org/model-with-slash]
                """));
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.maxBody()).isEqualTo(1024 * 1024);
        assertThat(c.logPrompts()).isTrue();
        ProviderConfig p = c.providers().get("p");
        assertThat(p.apiKey()).isNull();
        assertThat(p.keyProblem()).isNull();
        assertThat(p.responsesApi()).isTrue();
        assertThat(p.firstTokenTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.idleTimeout()).isEqualTo(Duration.ofSeconds(2));
        // one default per key, here and nowhere else
        assertThat(p.maxConcurrency()).isEqualTo(ConfigLoader.DEFAULT_MAX_CONCURRENCY).isEqualTo(32);
        assertThat(p.maxQueue()).isEqualTo(ConfigLoader.DEFAULT_MAX_QUEUE).isEqualTo(128);
        assertThat(p.queueTimeout()).isEqualTo(ConfigLoader.DEFAULT_QUEUE_TIMEOUT).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.models().get("m").targets().getFirst().upstreamModel()).isEqualTo("org/model-with-slash");
        assertThat(c.models().get("m").fallback()).isFalse();
    }

    /** Routing's facts about each target are read here, once: the provider's local flag, context window, capability. */
    @Test
    void routesCarryLocalFlagContextWindowAndCapability() throws IOException {
        GatewayConfig c = loader.load(write("g.yaml", """
                providers:
                  local: {base_url: "http://127.0.0.1:8081/v1", local: true}
                  deepseek: {base_url: "https://api.deepseek.com/v1"}
                models:
                  qwen:
                    targets: [local/qwen2.5-0.5b-instruct, deepseek/deepseek-chat]
                    fallback: true
                    context_windows: {local/qwen2.5-0.5b-instruct: 4096, deepseek/deepseek-chat: 2000000}
                  secret:
                    targets: [local/qwen2.5-0.5b-instruct]
                    private: true
                  embed:
                    targets: [local/nomic]
                    capability: embeddings
                """));
        ModelRoute qwen = c.models().get("qwen");
        assertThat(qwen.targets()).extracting(Target::local).containsExactly(true, false);
        assertThat(qwen.targets()).extracting(Target::contextWindow).containsExactly(4096, 2_000_000);
        assertThat(qwen.targets().getFirst().capabilities()).isEmpty(); // unset = unknown: any request may go
        assertThat(qwen.targets().getFirst().can(Capability.EMBEDDINGS)).isTrue();
        assertThat(qwen.privateOnly()).isFalse();
        ModelRoute secret = c.models().get("secret");
        assertThat(secret.privateOnly()).isTrue();
        assertThat(secret.fallback()).isFalse();
        assertThat(secret.targets().getFirst().contextWindow()).isNull();
        Target embed = c.models().get("embed").targets().getFirst();
        assertThat(embed.capabilities()).containsExactly(Capability.EMBEDDINGS);
        assertThat(embed.can(Capability.CHAT)).isFalse();

        // the launcher moves a provider: the routes follow its local flag, so privacy never reads a stale one
        Map<String, ProviderConfig> moved = new java.util.LinkedHashMap<>(c.providers());
        ProviderConfig ds = moved.get("deepseek");
        moved.put("deepseek", new ProviderConfig(ds.name(), ds.baseUrl(), ds.apiKey(), ds.keyProblem(), true, ds.maxConcurrency(),
                ds.maxQueue(), ds.queueTimeout(), ds.timeout(), ds.firstTokenTimeout(), ds.idleTimeout(), ds.responsesApi(),
                ds.messagesApi(), ds.maxResponse()));
        assertThat(c.withProviders(moved).models().get("qwen").targets()).extracting(Target::local).containsExactly(true, true);
        assertThat(c.withProviders(c.providers()).models().get("qwen")).isSameAs(qwen);
    }

    /** Unknown keys under health: and pricing.MODEL: are refused like any other, not silently ignored. */
    @Test
    void unknownHealthAndPricingKeysAreRefused() throws IOException {
        assertRefused("health:\n  probe_interval: 5s\n  cooldown: 10s\n", "bad.yaml line 3", "health.cooldown", "unknown key",
                "known: consecutive_failures, cool_down, error_rate, max_retry_after, min_calls, probe_interval, probe_timeout, window");
        assertRefused("pricing:\n  deepseek-chat:\n    input_per_million: 0.27\n    output_per_milion: 1.1\n",
                "bad.yaml line 4", "pricing.deepseek-chat.output_per_milion", "unknown key", "known: input_per_million, output_per_million");
        GatewayConfig ok = loader.load(write("ok.yaml", "health: {cool_down: 10s}\npricing: {m: {input_per_million: 1}}\n"));
        assertThat(ok.document().at("/health/cool_down").asText()).isEqualTo("10s");
    }

    @Test
    void routeKeysAreRefusedWithFileLineAndKey() throws IOException {
        String p = "providers: {p: {base_url: \"http://127.0.0.1:9/v1\"}}\n";
        assertRefused(p + "models:\n  m:\n    targets: [p/x]\n    capability: vision\n",
                "bad.yaml line 5", "models.m.capability", "'vision' is not a capability");
        assertRefused(p + "models:\n  m:\n    targets: [p/x]\n    context_windows: {p/x: -1}\n",
                "bad.yaml line 5", "models.m.context_windows.p/x: must be at least 1");
        assertRefused(p + "models:\n  m:\n    targets: [p/x]\n    context_windows: {p/x: lots}\n",
                "bad.yaml line 5", "models.m.context_windows.p/x: must be a whole number of tokens");
        assertRefused(p + "models:\n  m: {targets: [p/x], context_windows: [1]}\n", "bad.yaml line 3", "models.m.context_windows: must be a mapping");
        // a window for a target the model does not have is a typo, not something to ignore
        assertRefused(p + "models:\n  m:\n    targets: [p/x]\n    context_windows:\n      p/y: 4096\n",
                "bad.yaml line 6", "models.m.context_windows.p/y", "not one of this model's targets (p/x)");
    }

    private void assertRefused(String yaml, String... fragments) throws IOException {
        Path p = write("bad.yaml", yaml);
        assertThatThrownBy(() -> loader.load(p)).isInstanceOf(ConfigException.class).satisfies(e -> {
            for (String f : fragments) assertThat(e.getMessage()).contains(f);
            assertThat(e.getMessage()).doesNotContain("sk-ds-secret");
        });
    }

    @Test
    void errorsNameTheFileTheLineAndTheKey() throws IOException {
        assertRefused("""
                providers:
                  local:
                    base_url: http://127.0.0.1:8081/v1
                    timeout: ten minutes
                """, "bad.yaml line 4", "providers.local.timeout", "not a duration");
        assertRefused("""
                providers:
                  local:
                    base_url: http://127.0.0.1:8081/v1
                    queue_timeout: soon
                """, "bad.yaml line 4", "providers.local.queue_timeout", "not a duration");
        assertRefused("""
                providers:
                  local:
                    bse_url: http://127.0.0.1:8081/v1
                """, "line 3", "providers.local.bse_url", "unknown key");
        assertRefused("""
                providers:
                  local:
                    base_url: http://x/v1
                models:
                  qwen:
                    targets:
                      - local/a
                      - remote/b
                """, "line 8", "models.qwen.targets[1]", "unknown provider 'remote'");
        assertRefused("""
                providers:
                  local:
                    base_url: ftp://x/v1
                """, "line 3", "providers.local.base_url");
        assertRefused("""
                providers:
                  local:
                    base_url: http://x/v1
                    api_key: sk-literal-key
                """, "line 4", "providers.local.api_key", "env:NAME or file:PATH");
        assertRefused("listen: localhost\n", "line 1", "listen", "HOST:PORT");
        assertRefused("""
                providers:
                  local:
                    base_url: http://x/v1
                    max_concurrency: 0
                """, "line 4", "providers.local.max_concurrency");
        assertRefused("""
                clients:
                  a:
                    key_sha256: abc
                """, "line 3", "clients.a.key_sha256", "64 hex");
        assertRefused("""
                models:
                  q:
                    targets: local/a
                """, "line 3", "models.q.targets", "must be a list");
        assertRefused("""
                providers:
                  local: {base_url: "http://x/v1"
                """, "bad.yaml line", "not valid YAML");
        assertRefused("""
                providers:
                  local:
                    base_url: http://x/v1
                    timeout: 120
                """, "bad.yaml line 4", "providers.local.timeout", "write 120s");
        assertRefused("""
                providers:
                  local:
                    base_url: http://x/v1
                    max_queue: 4
                    base_url: http://y/v1
                """, "bad.yaml line 5", "providers.local.base_url", "written twice (lines 3 and 5)");
    }

    @Test
    void policyKeysAreAcceptedAndTheDocumentHoldsSecretReferencesNotSecrets() throws IOException {
        GatewayConfig c = loader.load(write("g.yaml", """
                ledger: usage.db
                pricing: {deepseek/deepseek-chat: {input_per_million: 0.27, output_per_million: 1.1}}
                providers:
                  deepseek:
                    base_url: https://api.deepseek.com/v1
                    api_key: env:DEEPSEEK_API_KEY
                    queue_timeout: 10s
                    health_check: models
                models:
                  q:
                    targets: [deepseek/deepseek-chat]
                    capability: chat
                clients:
                  laptop:
                    key: env:TG_LAPTOP_KEY
                    rpm: 60
                """));
        assertThat(c.document().at("/providers/deepseek/queue_timeout").asText()).isEqualTo("10s");
        assertThat(c.document().at("/clients/laptop/rpm").asInt()).isEqualTo(60);
        assertThat(c.document().root().toString()).contains("env:DEEPSEEK_API_KEY").doesNotContain("sk-ds-secret").doesNotContain("laptop-key");
    }

    @Test
    void keyHashIsSha256OfTheUtf8KeyEveryTime() {
        // FIPS 180-2's "abc" vector, twice: each hash starts from a fresh digest (no state left from the one before)
        String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assertThat(HexFormat.of().formatHex(ConfigLoader.sha256("abc"))).isEqualTo(abc);
        assertThat(HexFormat.of().formatHex(ConfigLoader.sha256("abc"))).isEqualTo(abc);
    }

    @Test
    void clientsFileIsMergedAndDuplicateNamesRefused() throws IOException {
        String hash = HexFormat.of().formatHex(ConfigLoader.sha256("k2"));
        write("clients.yaml", "clients:\n  cli:\n    key_sha256: " + hash + "\n    models: [\"qwen*\"]\n");
        GatewayConfig c = loader.load(write("gateway.yaml", "clients:\n  laptop:\n    key: env:TG_LAPTOP_KEY\n"));
        assertThat(c.clients()).containsOnlyKeys("laptop", "cli");
        assertThat(c.clients().get("cli").models()).containsExactly("qwen*");
        assertThat(c.clientsFile()).isEqualTo(dir.resolve("clients.yaml"));

        Files.createDirectories(dir.resolve("keys"));
        write("keys/more.yaml", "clients:\n  laptop:\n    key_sha256: " + hash + "\n");
        Path cfg = write("g2.yaml", "clients_file: keys/more.yaml\nclients:\n  laptop:\n    key: env:TG_LAPTOP_KEY\n");
        assertThatThrownBy(() -> loader.load(cfg)).hasMessageContaining("more.yaml line 2").hasMessageContaining("defined twice");
    }

    @Test
    void fileSecretsResolveRelativeToTheConfigFolder() throws IOException {
        write("provider.key", "sk-from-file\n");
        GatewayConfig c = loader.load(write("g.yaml", "providers:\n  p:\n    base_url: http://x/v1\n    api_key: file:provider.key\n"));
        assertThat(c.providers().get("p").apiKey().reveal()).isEqualTo("sk-from-file");
    }
}
