package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.config.SecretResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link between {@code up}'s gateway and its qwen-local: providers on local.yaml's listen port follow the port
 * qwen-local got and carry the internal key (a {@code file:} secret); others are left alone; the link survives a
 * config reload.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalServiceLinkTest {
    @TempDir
    Path home;

    private LocalServiceLink linkedHome() throws Exception {
        DefaultConfigs.writeMissing(home);
        Files.writeString(home.resolve("clients.yaml"), DefaultConfigs.clientsYaml());
        Path gw = home.resolve("gateway.yaml");
        Files.writeString(gw, Files.readString(gw).replace("  # openrouter:",
                "  ollama:\n    base_url: http://127.0.0.1:11434/v1\n    local: true\n"
                        + "  hosted:\n    base_url: https://api.example.com/v1\n  # openrouter:"));
        LocalServiceLink link = new LocalServiceLink(home);
        link.ensureKey();
        return link;
    }

    @Test
    void providersOnLocalYamlsPortFollowQwenLocalWithTheKeyAndOthersStayAsWritten() throws Exception {
        LocalServiceLink link = linkedHome();
        GatewayConfig loaded = new ConfigLoader(new SecretResolver(Map.of())).load(home.resolve("gateway.yaml"));
        GatewayConfig c = link.adjust(18377).apply(loaded);

        ProviderConfig local = c.providers().get("local");
        assertThat(local.baseUrl().toString()).isEqualTo("http://127.0.0.1:18377/v1");
        assertThat(local.apiKey().reveal()).isEqualTo(LocalServiceLink.readKey(home));
        assertThat(local.apiKey().source()).startsWith("file:").endsWith("local.key");
        assertThat(local.toString()).doesNotContain(LocalServiceLink.readKey(home));
        assertThat(local.local()).isTrue();
        assertThat(local.maxQueue()).isEqualTo(loaded.providers().get("local").maxQueue());
        assertThat(c.providers().get("ollama")).isEqualTo(loaded.providers().get("ollama"));
        assertThat(c.providers().get("hosted")).isEqualTo(loaded.providers().get("hosted"));
        assertThat(c.providers().keySet()).containsExactlyElementsOf(loaded.providers().keySet());
    }

    @Test
    void theLinkSurvivesAReload() throws Exception {
        LocalServiceLink link = linkedHome();
        Path gw = home.resolve("gateway.yaml");
        try (GatewayServer s = GatewayServer.start(GatewayServer.Options.of(gw).listen("127.0.0.1", 0)
                .activeProbes(false).adjust(link.adjust(18378)))) {
            assertThat(s.gateway().config().providers().get("local").baseUrl().getPort()).isEqualTo(18378);
            Files.writeString(gw, Files.readString(gw).replace("max_queue: 64 ", "max_queue: 65 "));
            assertThat(s.reload()).isTrue();
            ProviderConfig local = s.gateway().config().providers().get("local");
            assertThat(local.maxQueue()).isEqualTo(65); // the edit arrived
            assertThat(local.baseUrl().getPort()).isEqualTo(18378); // and the link stayed
            assertThat(local.apiKey().reveal()).isEqualTo(LocalServiceLink.readKey(home));
        }
    }
}
