package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.local.LocalServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code up} runs both services in one JVM, which keeps one handler per signal: one SIGHUP must reload gateway.yaml
 * and local.yaml both (a second registration must not replace the first).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SighupReloadsBothTest {
    @TempDir
    Path home;

    @Test
    void oneSighupReloadsBothConfigs() throws Exception {
        Path localYaml = Files.writeString(home.resolve("local.yaml"), """
                listen: 127.0.0.1:0
                models_dir: %s
                models:
                  minilm:
                    capability: embeddings
                    engine: onnx
                """.formatted(home.resolve("models")));
        Path gatewayYaml = Files.writeString(home.resolve("gateway.yaml"), """
                listen: 127.0.0.1:0
                providers:
                  local:
                    base_url: http://127.0.0.1:1/v1
                    local: true
                models:
                  embed:
                    targets: [local/minilm]
                """);
        try (LocalServer local = LocalServer.start(localYaml, null, null);
             GatewayServer gateway = GatewayServer.start(GatewayServer.Options.of(gatewayYaml).activeProbes(false))) {
            Assumptions.assumeTrue(gateway.reloadsOnSighup(), "SIGHUP handling not available here");
            Files.writeString(localYaml, Files.readString(localYaml) + "  minilm-2:\n    capability: embeddings\n    engine: onnx\n");
            Files.writeString(gatewayYaml, Files.readString(gatewayYaml) + "  embed-2:\n    targets: [local/minilm-2]\n");
            sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((!"SIGHUP".equals(local.lastReload()) || !"SIGHUP".equals(gateway.lastReload())) && System.nanoTime() < deadline) {
                Thread.sleep(50); // the signal is handled on its own thread; poll the outcome, bounded by the deadline
            }
            assertThat(local.lastReload()).isEqualTo("SIGHUP");
            assertThat(gateway.lastReload()).isEqualTo("SIGHUP");
            assertThat(local.scheduler().model("minilm-2")).isNotNull();
            assertThat(gateway.gateway().config().models()).containsKey("embed-2");
        }
    }
}
