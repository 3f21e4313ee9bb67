package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.SecretResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The configs users see — the defaults `up` writes and the README's example — load with the gateway's own loader. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DocumentedConfigsTest {
    static final Path README = Path.of("").toAbsolutePath().getParent().resolve("README.md");

    @TempDir
    Path dir;

    GatewayConfig load(String yaml, Map<String, String> env) throws Exception {
        Files.writeString(dir.resolve("clients.yaml"), DefaultConfigs.clientsYaml());
        Path file = Files.writeString(dir.resolve("gateway.yaml"), yaml);
        return new ConfigLoader(new SecretResolver(env)).load(file);
    }

    @Test
    void theDefaultGatewayConfigLoads() throws Exception {
        GatewayConfig c = load(DefaultConfigs.gatewayYaml(), Map.of());
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.clientsFile()).isEqualTo(dir.resolve("clients.yaml"));
        assertThat(c.providers()).containsOnlyKeys("local");
        assertThat(c.providers().get("local").local()).isTrue();
        assertThat(c.providers().get("local").maxConcurrency()).isEqualTo(4);
        assertThat(c.providers().get("local").maxQueue()).isEqualTo(64);
        assertThat(c.models()).containsOnlyKeys("qwen", "all-minilm-l6-v2", "embeddings", "espeak");
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void theReadmeExampleLoads() throws Exception {
        String readme = Files.readString(README);
        int section = readme.indexOf("## A minimal gateway config");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```", start));
        assertThat(yaml).contains("providers:");

        GatewayConfig c = load(yaml, Map.of("DEEPSEEK_API_KEY", "sk-test"));
        assertThat(c.providers()).containsOnlyKeys("local", "deepseek");
        assertThat(c.models().get("qwen").fallback()).isTrue();
        assertThat(c.warnings()).isEmpty();
    }
}
