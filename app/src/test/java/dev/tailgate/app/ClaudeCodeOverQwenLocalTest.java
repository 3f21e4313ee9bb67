package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.local.EngineRegistry;
import dev.tailgate.local.LocalServer;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.local.engine.server.LlamaServerBinary;
import dev.tailgate.local.engine.server.LlamaServerFactory;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.testing.messages.ClaudeCodeCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI ({@code claude -p}, offline) with the alias routed to a real qwen-local through the gateway's
 * {@code /v1/messages}, on the engine {@code ./tailgate up} picks when llama.cpp's {@code llama-server} is installed
 * ({@code .ci/run} installs it; missing, the test fails saying so). The crafted model answers with a {@code Bash} call
 * until the command's output ({@link #MARKER}, printed by the shell) is in its prompt, then with {@link #ANSWER}:
 * Claude Code runs the call, sends the output back to qwen-local, prints the answer and exits 0.
 */
@Timeout(value = 500, unit = TimeUnit.SECONDS)
class ClaudeCodeOverQwenLocalTest {
    static final String KEY = "tg-claude-over-local-key";
    /** What the shell prints: "tailgate-$((6*7))" is only "tailgate-42" once a shell has computed it. */
    static final String MARKER = "tailgate-42";
    static final String CALL = "<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"echo tailgate-$((6*7))\", "
            + "\"description\": \"Print the magic number\"}}\n</tool_call>";
    static final String ANSWER = "The shell printed the magic number: 42 (qwen-local).";

    @TempDir
    Path tmp;

    @Test
    void claudeCodeRunsTheBashCallQwenLocalMadeAndPrintsQwenLocalsAnswerToItsOutput() throws Exception {
        ClaudeCodeCli claude = ClaudeCodeCli.find().orElse(null);
        Assumptions.assumeTrue(claude != null, "Claude Code not installed: run `cd clients && npm ci` (needs node and npm)");
        Path models = Files.createDirectories(tmp.resolve("models"));
        // one layer (the marker head): Claude Code's prompt is long and the synthetic vocabulary spends a token a byte
        SyntheticGguf.custom(1, 64, 4, 2, 128).type(GgmlType.F16).contextLength(65536).chatTemplate(SyntheticGguf.QWEN25_TEMPLATE)
                .answering(CALL).answeringOnceSeen(MARKER, ANSWER).write(models.resolve("agent.gguf"));
        LocalConfig config = new ConfigLoader(LocalServer.ENGINES).parse("""
                listen: 127.0.0.1:0
                models_dir: %s
                memory_budget: 4GiB
                shutdown_grace: 2s
                models:
                  agent:
                    capability: chat
                    engine: llama-server
                    file: agent.gguf
                    context: 65536
                    threads: 1
                    stuck_after: 300s
                """.formatted(models), models);
        assertThat(LlamaServerBinary.find()).as("llama-server: run .ci/llama-server.sh or set " + LlamaServerBinary.ENV).isPresent();
        RecordingEngines recording = new RecordingEngines(LlamaServerFactory.defaults(tmp.resolve("logs")));
        try (LocalServer local = LocalServer.builder(config).engines(new EngineRegistry().register(LocalServer.LLAMA_SERVER, recording))
                .start()) {
            Path gatewayYaml = QwenAliasGateway.write(tmp, local.port(), "agent", KEY);
            try (GatewayServer gateway = GatewayServer.start(gatewayYaml, "127.0.0.1", 0)) {
                ClaudeCodeCli.Result result = claude.print(Files.createDirectories(tmp.resolve("claude")),
                        "http://127.0.0.1:" + gateway.port(), "qwen", KEY, "Print the magic number using the Bash tool.",
                        Duration.ofSeconds(400));

                String seen = result.describe() + "\n--- qwen-local got " + recording.chats.size() + " chats; llama-server log ---\n"
                        + workerLogs(tmp.resolve("logs"));
                assertThat(result.exitCode()).as(seen).isZero();
                assertThat(result.stdout().strip()).as(seen).isEqualTo(ANSWER);

                List<ObjectNode> agentTurns = recording.chats.stream().filter(ClaudeCodeOverQwenLocalTest::offersBash).toList();
                assertThat(agentTurns).as("the call turn and the answer turn reached qwen-local: %s", result.describe()).hasSize(2);
                JsonNode followUp = recording.followUp().orElseThrow();
                assertThat(followUp).isEqualTo(agentTurns.get(1));
                JsonNode messages = followUp.get("messages");
                JsonNode tool = messages.get(messages.size() - 1);
                JsonNode assistant = messages.get(messages.size() - 2);
                JsonNode call = assistant.path("tool_calls").get(0);
                assertThat(call.path("function").path("name").asText()).isEqualTo("Bash");
                assertThat(tool.path("tool_call_id").asText()).isEqualTo(call.path("id").asText());
                // the shell computed 6*7: Claude Code really ran the command qwen-local's model asked for
                assertThat(tool.path("content").asText()).contains(MARKER);
            }
        }
    }

    static String workerLogs(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) return "(none)";
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                sb.append(f.getFileName()).append(":\n").append(text, Math.max(0, text.length() - 4000), text.length());
            }
        }
        return sb.toString();
    }

    static boolean offersBash(JsonNode chat) {
        for (JsonNode tool : chat.path("tools")) if (tool.path("function").path("name").asText().equals("Bash")) return true;
        return false;
    }
}
