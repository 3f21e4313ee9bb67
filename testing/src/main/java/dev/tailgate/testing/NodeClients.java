package dev.tailgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real clients pinned in {@code clients/package.json} (the official {@code openai} and {@code @anthropic-ai/sdk}
 * npm SDKs, Codex CLI, Claude Code), as
 * the conformance tests find them: {@code clients/} is searched upwards from the module's working directory, and a
 * test that needs them is skipped — with the command that enables it — only when node or {@code npm ci} is missing.
 */
public final class NodeClients {
    private NodeClients() {}

    /** The repository's {@code clients/} folder, if this is a checkout of it. */
    public static Optional<Path> dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("clients/package.json"))) return Optional.of(p.resolve("clients"));
        }
        return Optional.empty();
    }

    /** True when {@code node --version} runs (bounded wait). */
    public static boolean nodeAvailable() {
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

    /** {@code clients/} with the openai npm SDK installed and node present; otherwise the calling test is skipped. */
    public static Path requireOpenAiSdk() {
        return requireModule("openai");
    }

    /** {@code clients/} with the @anthropic-ai/sdk npm SDK installed and node present; otherwise the calling test is skipped. */
    public static Path requireAnthropicSdk() {
        return requireModule("@anthropic-ai/sdk");
    }

    private static Path requireModule(String module) {
        Optional<Path> clients = dir();
        Assumptions.assumeTrue(clients.isPresent(), "clients/package.json not found above " + Path.of("").toAbsolutePath());
        Assumptions.assumeTrue(nodeAvailable(), "node is not installed: skipping the node SDK run");
        Assumptions.assumeTrue(Files.isDirectory(clients.get().resolve("node_modules/" + module)),
                "clients/node_modules/" + module + " is missing: run `cd clients && npm ci` to enable the node SDK run");
        return clients.get();
    }
}
