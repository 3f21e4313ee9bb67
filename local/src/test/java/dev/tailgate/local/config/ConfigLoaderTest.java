package dev.tailgate.local.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.local.engine.ModelSpec.Capability;
import dev.tailgate.wire.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigLoaderTest {
    @TempDir
    Path tmp;

    private final ConfigLoader loader = new ConfigLoader(Set.of("llama.cpp", "onnx"));

    @Test
    void aFullLocalYamlLoadsWithItsValuesAndDefaults() throws Exception {
        Path file = tmp.resolve("local.yaml");
        Files.writeString(file, """
                listen: 127.0.0.1:8081
                models_dir: ~/.tailgate/models
                memory_budget: 12GiB
                models:
                  qwen2.5-0.5b-instruct:
                    capability: chat
                    engine: llama.cpp
                    file: qwen2.5-0.5b-instruct-q4_k_m.gguf
                    source: hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf
                    context: 4096
                    threads: 2
                    max_concurrency: 1
                    max_queue: 8
                    keep_alive: 10m
                    stuck_after: 60s
                  all-minilm-l6-v2:
                    capability: embeddings
                    engine: onnx
                """);
        LocalConfig c = loader.load(file);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8081);
        Path home = Path.of(System.getProperty("user.home"));
        assertThat(c.modelsDir()).isEqualTo(home.resolve(".tailgate/models"));
        assertThat(c.memoryBudgetBytes()).isEqualTo(12L << 30);
        assertThat(c.models()).hasSize(2);
        ModelConfig q = c.models().getFirst();
        assertThat(q.id()).isEqualTo("qwen2.5-0.5b-instruct");
        assertThat(q.capability()).isEqualTo(Capability.CHAT);
        assertThat(q.file()).isEqualTo(home.resolve(".tailgate/models/qwen2.5-0.5b-instruct-q4_k_m.gguf"));
        assertThat(q.context()).isEqualTo(4096);
        assertThat(q.threads()).isEqualTo(2);
        assertThat(q.keepAlive()).isEqualTo(Duration.ofMinutes(10));
        assertThat(q.stuckAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(q.spec().parallel()).isEqualTo(q.maxConcurrency());
        assertThat(q.spec().file()).isEqualTo(q.file());
        ModelConfig mini = c.models().get(1);
        assertThat(mini.file()).isNull();
        assertThat(mini.missingFileReason()).isNull();
        assertThat(mini.maxConcurrency()).isEqualTo(1);
        assertThat(mini.maxQueue()).isEqualTo(8);
        assertThat(mini.keepAlive()).isEqualTo(Duration.ofMinutes(10));
        assertThat(mini.stuckAfter()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void fileIsRelativeToModelsDirOrAbsoluteAndAMissingOneSaysHowToPullIt() throws Exception {
        LocalConfig c = loader.parse("""
                models_dir: %s
                models:
                  a: {capability: chat, engine: llama.cpp, file: a.gguf}
                  b: {capability: chat, engine: llama.cpp, file: /abs/b.gguf, source: hf://o/r/b.gguf}
                  c: {capability: chat, engine: llama.cpp, file: c.gguf, keep_alive: 0}
                """.formatted(tmp), tmp);
        Files.writeString(tmp.resolve("c.gguf"), "x");
        assertThat(c.models().get(0).file()).isEqualTo(tmp.resolve("a.gguf"));
        assertThat(c.models().get(0).missingFileReason())
                .isEqualTo("model file a.gguf is missing — run: tailgate models pull a");
        assertThat(c.models().get(1).file()).isEqualTo(Path.of("/abs/b.gguf"));
        assertThat(c.models().get(1).missingFileReason()).endsWith("tailgate models pull b");
        assertThat(c.models().get(2).missingFileReason()).isNull();
        assertThat(c.models().get(2).keepAlive()).isZero();
    }

    @Test
    void errorsNameTheKeyAndTheLine() {
        assertError("""
                listen: 127.0.0.1:8081
                models:
                  qwen:
                    capability: chat
                    engine: llama.cpp
                    max_queue: lots
                """, "line 6", "models.qwen.max_queue", "whole number");
        assertError("""
                models:
                  qwen:
                    capability: chat
                    engine: llamacpp
                """, "line 4", "models.qwen.engine", "known: llama.cpp, onnx");
        assertError("""
                models:
                  qwen:
                    capability: painting
                    engine: llama.cpp
                """, "line 3", "models.qwen.capability", "chat | embeddings");
        assertError("""
                memory_budget: plenty
                """, "line 1", "memory_budget", "not a size");
        assertError("""
                models:
                  qwen:
                    capability: chat
                    engine: llama.cpp
                    keep_alive: soon
                """, "line 5", "models.qwen.keep_alive", "not a duration");
        assertError("""
                models:
                  qwen:
                    capability: chat
                    engine: llama.cpp
                    max_concurency: 2
                """, "line 5", "models.qwen.max_concurency", "unknown key");
        assertError("""
                models:
                  qwen:
                    engine: llama.cpp
                """, "", "models.qwen.capability", "is required");
        assertError("""
                models:
                  qwen:
                    capability: chat
                    engine: llama.cpp
                    max_concurrency: 0
                """, "line 5", "models.qwen.max_concurrency", "at least 1");
        assertError("listen: nowhere\n", "line 1", "listen", "HOST:PORT");
        ConfigLoader strict = new ConfigLoader(dev.tailgate.local.LocalServer.ENGINES);
        assertThatThrownBy(() -> strict.parse("models:\n  m:\n    capability: chat\n    engine: onnx\n", tmp))
                .hasMessageContaining("line 4").hasMessageContaining("models.m.engine")
                .hasMessageContaining("engine 'onnx' cannot serve chat (it serves embeddings)");
        assertError("models: [1, 2\n", "", "", "not valid YAML");
        assertError("""
                models:
                  qwen:
                    capability: chat
                    engine: llama.cpp
                    keep_alive: 120
                """, "line 5", "models.qwen.keep_alive", "write 120s");
        assertError("""
                memory_budget: 2GiB
                models:
                  qwen: {capability: chat, engine: llama.cpp}
                memory_budget: 4GiB
                """, "line 4", "memory_budget", "written twice (lines 1 and 4)");
    }

    @Test
    void aFileNamesItselfInErrors() throws Exception {
        Path file = tmp.resolve("local.yaml");
        Files.writeString(file, "listen: 127.0.0.1:8081\nshutdown_grace: 10\n");
        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + " line 2: shutdown_grace: '10' needs a unit: write 10s (or 10ms, 10m, 10h)");
    }

    private void assertError(String yaml, String line, String key, String problem) {
        assertThatThrownBy(() -> loader.parse(yaml, tmp))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(line)
                .hasMessageContaining(key)
                .hasMessageContaining(problem);
    }
}
