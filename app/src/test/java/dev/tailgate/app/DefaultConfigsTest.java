package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.ByteSizes;
import dev.tailgate.wire.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DefaultConfigsTest {
    @TempDir
    Path tmp;

    JsonNode yaml(String text) throws Exception {
        return ClientsFile.YAML.readTree(text);
    }

    @Test
    void gatewayDefaultsRouteEverythingToTheLocalProvider() throws Exception {
        JsonNode g = yaml(DefaultConfigs.gatewayYaml());
        assertThat(g.path("listen").asText()).isEqualTo("127.0.0.1:8080");
        assertThat(g.path("clients_file").asText()).isEqualTo("clients.yaml");

        JsonNode providers = g.path("providers");
        assertThat(providers.size()).as("hosted providers are commented-out examples only").isEqualTo(1);
        JsonNode local = providers.path("local");
        assertThat(local.path("base_url").asText()).isEqualTo("http://127.0.0.1:8081/v1");
        assertThat(local.path("local").asBoolean()).isTrue();
        assertThat(local.path("max_concurrency").asInt()).isEqualTo(4);
        assertThat(local.path("max_queue").asInt()).isEqualTo(64);
        // a backstop behind qwen-local's stuck watchdog, long enough for an agent's first prompt on a CPU
        assertThat(Durations.parse(local.path("timeout").asText())).isEqualTo(Duration.ofMinutes(15));
        assertThat(local.has("first_token_timeout") || local.has("idle_timeout")).isFalse();
        assertThat(local.has("api_key")).isFalse();

        JsonNode models = g.path("models");
        assertThat(targets(models.path("qwen"))).containsExactly("local/qwen2.5-0.5b-instruct");
        assertThat(targets(models.path("all-minilm-l6-v2"))).containsExactly("local/all-minilm-l6-v2");
        assertThat(targets(models.path("embeddings"))).containsExactly("local/all-minilm-l6-v2");
        assertThat(targets(models.path("espeak"))).containsExactly("local/espeak");
        // every target names a configured provider
        models.forEach(m -> targets(m).forEach(t -> assertThat(providers.has(t.substring(0, t.indexOf('/')))).isTrue()));
    }

    @Test
    void gatewayDefaultsShowHostedProvidersAsCommentedExamplesWithEnvKeys() {
        String text = DefaultConfigs.gatewayYaml();
        assertThat(text).contains("# deepseek:", "#   api_key: env:DEEPSEEK_API_KEY", "# openrouter:", "https://openrouter.ai/api/v1");
    }

    @Test
    void localDefaultsServeQwenMiniLmAndEspeakOn8081WithinA12GiBBudget() throws Exception {
        Path home = tmp.resolve("home");
        JsonNode l = yaml(DefaultConfigs.localYaml(home));
        assertThat(l.path("listen").asText()).isEqualTo("127.0.0.1:8081");
        assertThat(l.path("models_dir").asText()).isEqualTo(home.resolve("models").toString());
        assertThat(ByteSizes.parse(l.path("memory_budget").asText())).isEqualTo(12L * 1024 * 1024 * 1024);

        JsonNode qwen = l.path("models").path("qwen2.5-0.5b-instruct");
        assertThat(qwen.path("capability").asText()).isEqualTo("chat");
        assertThat(qwen.path("engine").asText()).isEqualTo("llama.cpp");
        assertThat(qwen.path("file").asText()).isEqualTo("qwen2.5-0.5b-instruct-q4_k_m.gguf");
        assertThat(qwen.path("source").asText())
                .isEqualTo("hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");
        assertThat(qwen.path("context").asInt()).isEqualTo(4096);
        assertThat(qwen.path("max_concurrency").asInt()).isEqualTo(1);
        assertThat(qwen.path("max_queue").asInt()).isEqualTo(8);
        assertThat(Durations.parse(qwen.path("keep_alive").asText())).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse(qwen.path("stuck_after").asText())).isEqualTo(Duration.ofSeconds(60));

        JsonNode minilm = l.path("models").path("all-minilm-l6-v2");
        assertThat(minilm.path("capability").asText()).isEqualTo("embeddings");
        assertThat(minilm.path("engine").asText()).isEqualTo("onnx");
        assertThat(minilm.has("file")).isFalse();

        JsonNode espeak = l.path("models").path("espeak");
        assertThat(espeak.path("capability").asText()).isEqualTo("speech");
        assertThat(espeak.path("engine").asText()).isEqualTo("espeak-ng");
        assertThat(espeak.has("file")).as("speaks out of the box: no model file").isFalse();
    }

    @Test
    void withLlamaServerTheDefaultChatModelIsAQwen3GgufOnItAndTheGatewayAliasFollows() throws Exception {
        Path home = tmp.resolve("home");
        JsonNode l = yaml(DefaultConfigs.localYaml(home, DefaultConfigs.ChatModel.LLAMA_SERVER));
        JsonNode qwen3 = l.path("models").path("qwen3-8b");
        assertThat(qwen3.path("engine").asText()).isEqualTo("llama-server");
        assertThat(qwen3.path("source").asText()).isEqualTo("hf://Qwen/Qwen3-8B-GGUF/Qwen3-8B-Q4_K_M.gguf");
        assertThat(l.path("models").has("qwen2.5-0.5b-instruct")).isFalse();
        assertThat(l.path("models").path("all-minilm-l6-v2").path("engine").asText()).isEqualTo("onnx");
        JsonNode g = yaml(DefaultConfigs.gatewayYaml(DefaultConfigs.ChatModel.LLAMA_SERVER));
        assertThat(targets(g.path("models").path("qwen"))).containsExactly("local/qwen3-8b");
        // both load with qwen-local's own config loader
        new dev.tailgate.local.config.ConfigLoader(dev.tailgate.local.LocalServer.ENGINES)
                .parse(DefaultConfigs.localYaml(home, DefaultConfigs.ChatModel.LLAMA_SERVER), home);
        new dev.tailgate.local.config.ConfigLoader(dev.tailgate.local.LocalServer.ENGINES).parse(DefaultConfigs.localYaml(home), home);
    }

    @Test
    void modelsDirSurvivesAwkwardHomePaths() throws Exception {
        Path home = tmp.resolve("my home #1: \"quoted\"");
        JsonNode l = yaml(DefaultConfigs.localYaml(home));
        assertThat(l.path("models_dir").asText()).isEqualTo(home.resolve("models").toString());
    }

    @Test
    void writeMissingWritesOnceAndNeverOverwrites() throws Exception {
        Path home = tmp.resolve("h");
        assertThat(DefaultConfigs.writeMissing(home)).containsExactly("gateway.yaml", "local.yaml");
        assertThat(home.resolve("models")).isDirectory();
        assertThat(home.resolve("tmp")).isDirectory();

        Files.writeString(home.resolve("local.yaml"), "listen: 127.0.0.1:9\n");
        assertThat(DefaultConfigs.writeMissing(home)).isEmpty();
        assertThat(Files.readString(home.resolve("local.yaml"))).isEqualTo("listen: 127.0.0.1:9\n");

        Files.delete(home.resolve("gateway.yaml"));
        assertThat(DefaultConfigs.writeMissing(home)).containsExactly("gateway.yaml");
    }

    @Test
    void theEmptyClientsFileParsesAsNoClients() throws Exception {
        Path f = Files.writeString(tmp.resolve("clients.yaml"), DefaultConfigs.clientsYaml());
        assertThat(ClientsFile.load(f).clients()).isEmpty();
        assertThat(yaml(DefaultConfigs.clientsYaml()).path("clients").isObject()).isTrue();
    }

    @Test
    void homeResolution() {
        assertThat(Home.resolve(Path.of("/a/b"), java.util.Map.of("TAILGATE_HOME", "/x"), "/u")).isEqualTo(Path.of("/a/b"));
        assertThat(Home.resolve(null, java.util.Map.of("TAILGATE_HOME", "/x"), "/u")).isEqualTo(Path.of("/x"));
        assertThat(Home.resolve(null, java.util.Map.of("TAILGATE_HOME", "~/t"), "/u")).isEqualTo(Path.of("/u/t"));
        assertThat(Home.resolve(null, java.util.Map.of(), "/u")).isEqualTo(Path.of("/u/.tailgate"));
    }

    private static List<String> targets(JsonNode model) {
        return java.util.stream.StreamSupport.stream(model.path("targets").spliterator(), false).map(JsonNode::asText).toList();
    }
}
