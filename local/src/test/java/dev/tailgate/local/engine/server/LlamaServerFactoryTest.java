package dev.tailgate.local.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Finding the binary and a load that fails — with stand-in executables (the real server is tested elsewhere). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LlamaServerFactoryTest {
    @TempDir
    Path dir;

    Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        assertThat(p.toFile().setExecutable(true)).isTrue();
        return p;
    }

    @Test
    void theEnvironmentVariableWinsThenThePathThenTheHomeInstall() throws Exception {
        Path explicit = script("my-llama-server", "exit 0");
        Path onPath = Files.createDirectories(dir.resolve("bin"));
        Path pathBinary = script("bin/llama-server", "exit 0");
        Path home = dir.resolve("home");
        Path installed = Files.createDirectories(home.resolve("llama-server/bin")).resolve("llama-server");
        Files.copy(pathBinary, installed);

        assertThat(LlamaServerBinary.find(Map.of(LlamaServerBinary.ENV, explicit.toString(), "PATH", onPath.toString()), home))
                .contains(explicit);
        assertThat(LlamaServerBinary.find(Map.of("PATH", onPath.toString()), home)).contains(pathBinary);
        assertThat(LlamaServerBinary.find(Map.of("PATH", dir.resolve("empty").toString()), home)).contains(installed);
        assertThat(LlamaServerBinary.find(Map.of("PATH", ""), dir.resolve("nowhere"))).isEmpty();
        // a configured path that is not executable is not silently replaced by another binary
        assertThat(LlamaServerBinary.find(Map.of(LlamaServerBinary.ENV, dir.resolve("missing").toString(), "PATH", onPath.toString()), home))
                .isEmpty();
    }

    @Test
    void aServerThatExitsWhileLoadingFailsTheLoadWithItsExitCodeAndTheEndOfItsLog() throws Exception {
        Path bin = script("llama-server", "echo 'loading model'; echo 'error: unknown model architecture: mystery'; exit 3");
        Path gguf = Files.writeString(dir.resolve("m.gguf"), "not really a model");
        LlamaServerFactory factory = new LlamaServerFactory(() -> Optional.of(bin), dir.resolve("logs"), Duration.ofSeconds(30));
        assertThatThrownBy(() -> factory.load(new ModelSpec("m", ModelSpec.Capability.CHAT, "llama-server", gguf, 512, 1)))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("exit 3")
                .hasMessageContaining("unknown model architecture: mystery");
        assertThat(dir.resolve("logs/m.log")).content().contains("loading model");
    }

    @Test
    void withoutABinaryLoadingSaysHowToInstallIt() {
        LlamaServerFactory factory = new LlamaServerFactory(Optional::empty, dir.resolve("logs"), Duration.ofSeconds(5));
        ModelSpec spec = new ModelSpec("m", ModelSpec.Capability.CHAT, "llama-server", dir.resolve("m.gguf"), 512, 1);
        assertThat(factory.unavailableReason(spec)).contains("llama-server", LlamaServerBinary.ENV);
        assertThatThrownBy(() -> factory.load(spec)).isInstanceOf(EngineException.class).hasMessageContaining("install");
    }
}
