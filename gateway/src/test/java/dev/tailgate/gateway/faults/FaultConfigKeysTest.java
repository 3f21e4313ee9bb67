package dev.tailgate.gateway.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.wire.config.ConfigException;
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

/** The keys the fault work added: {@code max_response} (global default, per-provider override) and {@code client_timeout}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultConfigKeysTest {
    @TempDir
    Path dir;

    private GatewayConfig load(String yaml) throws Exception {
        Path f = dir.resolve("gateway.yaml");
        Files.writeString(f, yaml);
        return new ConfigLoader(new SecretResolver(Map.of())).load(f);
    }

    @Test
    void defaultsAre64MiBAndSixtySeconds() throws Exception {
        GatewayConfig c = load("providers:\n  p:\n    base_url: http://127.0.0.1:1/v1\n");
        assertThat(c.providers().get("p").maxResponse()).isEqualTo(64L * 1024 * 1024);
        assertThat(c.clientTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void globalMaxResponseIsTheDefaultAndAProviderMayOverrideIt() throws Exception {
        GatewayConfig c = load("""
                max_response: 1MiB
                client_timeout: 5s
                providers:
                  a:
                    base_url: http://127.0.0.1:1/v1
                  b:
                    base_url: http://127.0.0.1:2/v1
                    max_response: 2KiB
                """);
        assertThat(c.providers().get("a").maxResponse()).isEqualTo(1024L * 1024);
        assertThat(c.providers().get("b").maxResponse()).isEqualTo(2048L);
        assertThat(c.clientTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> load("client_timeout: soon\n")).isInstanceOf(ConfigException.class).hasMessageContaining("client_timeout");
        assertThatThrownBy(() -> load("providers:\n  p:\n    base_url: http://127.0.0.1:1/v1\n    max_response: lots\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max_response");
    }
}
