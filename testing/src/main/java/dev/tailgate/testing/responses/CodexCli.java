package dev.tailgate.testing.responses;

import java.io.File;
import dev.tailgate.testing.NodeClients;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real Codex CLI ({@code clients/node_modules/.bin/codex}, pinned in {@code clients/package.json}) against a
 * base URL on 127.0.0.1, non-interactively, in a throw-away {@code CODEX_HOME}. Codex is kept off the network: its
 * provider is the given base URL, analytics and update checks are off, and every other HTTP(S) request it might make
 * (plugin or skill catalogues) is sent to a dead proxy on 127.0.0.1 instead of leaving the machine.
 */
public final class CodexCli {
    /** The env var that carries the client key; Codex sends it as {@code Authorization: Bearer}. */
    public static final String KEY_ENV = "TAILGATE_TEST_KEY";

    private final Path executable;

    private CodexCli(Path executable) {
        this.executable = executable;
    }

    /** The installed Codex CLI, if {@code clients/} has been installed ({@code cd clients && npm ci}). */
    public static Optional<CodexCli> find() {
        return NodeClients.dir()
                .map(clients -> clients.resolve("node_modules/.bin/codex"))
                .filter(Files::isExecutable)
                .filter(codex -> NodeClients.nodeAvailable())
                .map(CodexCli::new);
    }

    /** What one {@code codex exec} run did. {@code lastMessage} is the final agent message (from {@code -o}). */
    public record Result(int exitCode, String stdout, String stderr, String lastMessage) {
        public String describe() {
            return "exit=" + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /**
     * Provider settings for the generated {@code config.toml}. {@code modelCatalog}: also describe the model to Codex
     * (via {@code model_catalog_json}) as one that edits files with the freeform {@code apply_patch} tool — the way
     * Codex treats OpenAI's own models — instead of Codex's fallback metadata for unknown models.
     */
    public record Provider(String baseUrl, String model, String key, boolean supportsWebsockets, boolean modelCatalog) {
        public Provider(String baseUrl, String model, String key) {
            this(baseUrl, model, key, false, false);
        }

        public Provider withWebsockets() {
            return new Provider(baseUrl, model, key, true, modelCatalog);
        }

        public Provider withModelCatalog() {
            return new Provider(baseUrl, model, key, supportsWebsockets, true);
        }
    }

    /**
     * Runs {@code codex exec} with {@code prompt} in a fresh work directory under {@code scratch}; shell commands the
     * model asks for run without approval or sandbox (the test is their only author). Kills Codex after {@code timeout}.
     */
    public Result exec(Path scratch, Provider provider, String prompt, Duration timeout) throws IOException, InterruptedException {
        Path home = Files.createDirectories(scratch.resolve("codex-home"));
        Path work = Files.createDirectories(scratch.resolve("work"));
        String config = config(provider);
        if (provider.modelCatalog()) {
            Path catalog = home.resolve("model-catalog.json");
            Files.writeString(catalog, catalog(provider.model()), StandardCharsets.UTF_8);
            config = "model_catalog_json = \"" + catalog + "\"\n" + config;
        }
        Files.writeString(home.resolve("config.toml"), config, StandardCharsets.UTF_8);
        Path out = scratch.resolve("stdout.txt");
        Path err = scratch.resolve("stderr.txt");
        Path last = scratch.resolve("last-message.txt");

        List<String> command = new ArrayList<>(List.of(executable.toString(), "exec",
                "--skip-git-repo-check", "--ephemeral", "--color", "never",
                "--dangerously-bypass-approvals-and-sandbox",
                "-C", work.toString(), "-o", last.toString(), prompt));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> env = builder.environment();
        env.put("CODEX_HOME", home.toString());
        env.put(KEY_ENV, provider.key());
        env.remove("OPENAI_API_KEY");
        env.remove("OPENAI_BASE_URL");
        env.remove("CODEX_API_KEY");
        for (String proxy : List.of("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy")) {
            env.put(proxy, "http://127.0.0.1:9"); // discard port: anything not for 127.0.0.1 fails here, locally
        }
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");
        env.put("RUST_LOG", "warn");

        Process process = builder.start();
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        String stdout = Files.exists(out) ? Files.readString(out) : "";
        String stderr = Files.exists(err) ? Files.readString(err) : "";
        String lastMessage = Files.exists(last) ? Files.readString(last) : "";
        return new Result(exited ? process.exitValue() : -1, stdout, stderr + (exited ? "" : "\n[killed after " + timeout + "]"), lastMessage);
    }

    /** Codex model metadata (fields as Codex 0.169 reads them) for a model that uses the freeform apply_patch tool. */
    private static String catalog(String model) {
        return """
                {"models":[{"slug": "%s", "display_name": "%s", "description": "tailgate test alias",
                  "default_reasoning_level": null, "supported_reasoning_levels": [], "shell_type": "shell_command",
                  "visibility": "list", "supported_in_api": true, "priority": 1, "availability_nux": null, "upgrade": null,
                  "base_instructions": "You are a coding agent.", "model_messages": null,
                  "supports_reasoning_summaries": false, "default_reasoning_summary": "none", "support_verbosity": false,
                  "default_verbosity": null, "apply_patch_tool_type": "freeform",
                  "truncation_policy": {"mode": "bytes", "limit": 10000}, "supports_parallel_tool_calls": false,
                  "supports_image_detail_original": false, "context_window": 32000, "auto_compact_token_limit": null,
                  "effective_context_window_percent": 95, "experimental_supported_tools": [], "input_modalities": ["text"],
                  "supports_search_tool": false}]}
                """.formatted(model, model);
    }

    private static String config(Provider provider) {
        return """
                model = "%s"
                model_provider = "tailgate"
                check_for_update_on_startup = false
                web_search = "disabled"

                [analytics]
                enabled = false

                [features]
                plugins = false
                remote_plugin = false
                apps = false

                [model_providers.tailgate]
                name = "tailgate"
                base_url = "%s"
                env_key = "%s"
                wire_api = "responses"
                supports_websockets = %s
                request_max_retries = 0
                stream_max_retries = 0
                """.formatted(provider.model(), provider.baseUrl(), KEY_ENV, provider.supportsWebsockets());
    }
}
