package dev.tailgate.testing.messages;

import dev.tailgate.testing.NodeClients;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real Claude Code CLI (npm {@code @anthropic-ai/claude-code}, pinned in {@code clients/package.json})
 * non-interactively ({@code claude -p}) against a gateway on 127.0.0.1, in a throw-away {@code HOME}. It is kept off
 * the network: {@code CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1}, both of its model settings point at the gateway
 * alias, and every other HTTP(S) request is sent to a dead proxy on 127.0.0.1 instead of leaving the machine.
 *
 * <p>Started through the package's {@code cli-wrapper.cjs}, which finds the platform binary installed from the
 * package's optional dependencies: npm does not run the package's postinstall step (it is not in an allow list), and
 * the wrapper needs none.
 */
public final class ClaudeCodeCli {
    private final Path wrapper;

    private ClaudeCodeCli(Path wrapper) {
        this.wrapper = wrapper;
    }

    /** The installed Claude Code, if {@code clients/} has been installed ({@code cd clients && npm ci}) with its binary. */
    public static Optional<ClaudeCodeCli> find() {
        return NodeClients.dir()
                .filter(clients -> Files.isDirectory(clients.resolve("node_modules/@anthropic-ai/claude-code-linux-x64"))
                        || Files.isDirectory(clients.resolve("node_modules/@anthropic-ai/claude-code-linux-arm64")))
                .map(clients -> clients.resolve("node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs"))
                .filter(Files::isRegularFile)
                .filter(w -> NodeClients.nodeAvailable())
                .map(ClaudeCodeCli::new);
    }

    /** What one run did. */
    public record Result(int exitCode, String stdout, String stderr) {
        public String describe() {
            return "exit=" + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /**
     * Runs {@code claude -p prompt} in a fresh work directory under {@code scratch}, with only the Bash tool, allowed (the
     * test is the only author of what it runs), {@code model} as both of its models, and {@code key} sent as
     * {@code ANTHROPIC_AUTH_TOKEN} (Bearer). Kills it after {@code timeout}.
     */
    public Result print(Path scratch, String baseUrl, String model, String key, String prompt, Duration timeout)
            throws IOException, InterruptedException {
        Path home = Files.createDirectories(scratch.resolve("home"));
        Path work = Files.createDirectories(scratch.resolve("work"));
        Path out = scratch.resolve("stdout.txt");
        Path err = scratch.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(List.of("node", wrapper.toString(), "-p", prompt,
                "--tools", "Bash", "--allowedTools", "Bash", "--output-format", "text"))
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("ANTHROPIC_") || name.startsWith("CLAUDE") || name.startsWith("AWS_")
                || name.startsWith("GOOGLE_") || name.startsWith("VERTEX_"));
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("ANTHROPIC_BASE_URL", baseUrl);
        env.put("ANTHROPIC_AUTH_TOKEN", key);
        env.put("ANTHROPIC_MODEL", model);
        env.put("ANTHROPIC_SMALL_FAST_MODEL", model);
        env.put("ANTHROPIC_DEFAULT_HAIKU_MODEL", model);
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_AUTOUPDATER", "1");
        env.put("DISABLE_TELEMETRY", "1");
        env.put("DISABLE_ERROR_REPORTING", "1");
        for (String proxy : List.of("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy")) {
            env.put(proxy, "http://127.0.0.1:9"); // discard port: anything not for 127.0.0.1 fails here, locally
        }
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");

        Process process = builder.start();
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        String stdout = Files.exists(out) ? Files.readString(out) : "";
        String stderr = Files.exists(err) ? Files.readString(err) : "";
        return new Result(exited ? process.exitValue() : -1, stdout, stderr + (exited ? "" : "\n[killed after " + timeout + "]"));
    }
}
