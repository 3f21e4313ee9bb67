package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.local.EngineRegistry;
import dev.tailgate.local.LocalServer;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.local.engine.worker.WorkerProcessFactory;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.testing.responses.CodexCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Codex CLI through the gateway's Responses bridge, served by a real qwen-local (embedded llama.cpp in a worker
 * process) whose crafted model always answers with one shell call. Codex runs the command and sends its output back;
 * the follow-up reaches qwen-local carrying it. The model never stops calling, so the test ends Codex there.
 * qwen-local's engine factory is wrapped only to record what reached it ({@link RecordingEngines}).
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class CodexOverQwenLocalTest {
    static final String KEY = "tg-codex-over-local-key";
    static final String CALL = "<tool_call>\n{\"name\": \"exec_command\", \"arguments\": {\"cmd\": \"echo tailgate-$((6*7))\"}}\n</tool_call>";

    @TempDir
    Path tmp;

    @Test
    void codexRunsTheToolCallQwenLocalMadeAndTheFollowUpCarriesItsOutput() throws Exception {
        CodexCli codex = CodexCli.find().orElse(null);
        Assumptions.assumeTrue(codex != null, "Codex CLI not installed: run `cd clients && npm ci` (needs node and npm)");
        Path models = Files.createDirectories(tmp.resolve("models"));
        SyntheticGguf.tiny().type(GgmlType.F16).contextLength(65536).chatTemplate(SyntheticGguf.QWEN25_TEMPLATE)
                .answering(CALL).write(models.resolve("caller.gguf"));
        LocalConfig config = new ConfigLoader(LocalServer.ENGINES).parse("""
                listen: 127.0.0.1:0
                models_dir: %s
                memory_budget: 4GiB
                shutdown_grace: 2s
                models:
                  caller:
                    capability: chat
                    engine: llama.cpp
                    file: caller.gguf
                    context: 65536
                    threads: 2
                    stuck_after: 300s
                """.formatted(models), models);
        RecordingEngines recording = new RecordingEngines(new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(tmp.resolve("logs"))));
        try (LocalServer local = LocalServer.builder(config).engines(new EngineRegistry().register("llama.cpp", recording)).start()) {
            Path gatewayYaml = QwenAliasGateway.write(tmp, local.port(), "caller", KEY);
            try (GatewayServer gateway = GatewayServer.start(gatewayYaml, "127.0.0.1", 0)) {
                Path scratch = Files.createDirectories(tmp.resolve("codex"));
                CompletableFuture<CodexCli.Result> run = CompletableFuture.supplyAsync(() -> {
                    try {
                        return codex.exec(scratch, new CodexCli.Provider("http://127.0.0.1:" + gateway.port() + "/v1", "qwen", KEY)
                                        .withModelCatalog(), // short base instructions: a prompt the tiny model reads fast
                                "Print the magic number using the shell.", Duration.ofSeconds(300));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                // bounded wait for the follow-up that carries the command's output to reach qwen-local
                long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
                JsonNode followUp = null;
                while (followUp == null && !run.isDone() && System.nanoTime() < deadline) {
                    followUp = recording.followUp().orElse(null);
                    Thread.sleep(100); // polling what qwen-local has received, bounded by the deadline
                }
                // the crafted model would call again forever: end Codex here
                ProcessHandle.current().descendants()
                        .filter(h -> h.info().commandLine().map(c -> c.contains("codex")).orElse(false))
                        .forEach(ProcessHandle::destroyForcibly);
                CodexCli.Result result = run.get(60, TimeUnit.SECONDS);
                assertThat(followUp).as("a follow-up with the tool output reached qwen-local: %s\n%s",
                        recording.chats.size(), result.describe()).isNotNull();

                JsonNode first = recording.chats.getFirst();
                assertThat(first.path("tools").toString()).as("Codex sends its tools").contains("exec_command");
                JsonNode messages = followUp.get("messages");
                JsonNode tool = messages.get(messages.size() - 1);
                JsonNode assistant = messages.get(messages.size() - 2);
                assertThat(assistant.path("role").asText()).isEqualTo("assistant");
                JsonNode call = assistant.path("tool_calls").get(0);
                assertThat(call.path("function").path("name").asText()).isEqualTo("exec_command");
                assertThat(tool.path("tool_call_id").asText()).isEqualTo(call.path("id").asText());
                // the shell computed 6*7: Codex really ran the command qwen-local's model asked for
                assertThat(tool.path("content").asText()).contains("tailgate-42");
            }
        }
    }
}
