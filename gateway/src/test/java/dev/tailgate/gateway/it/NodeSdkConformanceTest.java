package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import dev.tailgate.testing.NodeClients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The official openai npm SDK (pinned in clients/package.json) against the gateway, via clients/conformance.mjs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeSdkConformanceTest {

    @Test
    void officialNodeSdkPassesTheConformanceScript() throws Exception {
        Path clients = NodeClients.requireOpenAiSdk();
        try (Harness h = Harness.start()) {
            ProcessBuilder pb = new ProcessBuilder("node", "conformance.mjs").directory(clients.toFile()).redirectErrorStream(true);
            pb.environment().put("BASE_URL", h.base() + "/v1");
            pb.environment().put("API_KEY", Harness.CLIENT_KEY);
            pb.environment().put("CHAT_MODEL", "qwen");
            pb.environment().put("EMBED_MODEL", "embed");
            pb.environment().put("BROKEN_MODEL", "cut");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("node finished").isTrue();
            System.out.println(out);
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("conformance: 7 passed, 0 failed");
        }
    }
}
