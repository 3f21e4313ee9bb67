package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The official openai npm SDK (pinned in clients/package.json) against the gateway, via clients/conformance.mjs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeSdkConformanceTest {

    private static Path clientsDir() {
        Path p = Path.of("").toAbsolutePath();
        for (int i = 0; i < 3 && p != null; i++, p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("clients/conformance.mjs"))) return p.resolve("clients");
        }
        return null;
    }

    private static boolean nodeAvailable() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void officialNodeSdkPassesTheConformanceScript() throws Exception {
        Path clients = clientsDir();
        Assumptions.assumeTrue(clients != null, "clients/conformance.mjs not found");
        Assumptions.assumeTrue(nodeAvailable(), "node is not installed: skipping the node SDK conformance run");
        Assumptions.assumeTrue(Files.isDirectory(clients.resolve("node_modules/openai")),
                "clients/node_modules is missing: run `cd clients && npm ci` to enable the node SDK conformance run");
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
