package dev.tailgate.gateway.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.responses.CodexCli;
import dev.tailgate.testing.responses.ScriptedChatUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Codex CLI (the first client the user named) against the Responses bridge, with a scripted chat upstream.
 * Skipped, saying why, only when Codex or node is not installed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CodexCliTest {
    private static CodexCli codex;

    @BeforeAll
    static void findCodex() {
        codex = CodexCli.find().orElse(null);
        Assumptions.assumeTrue(codex != null,
                "Codex CLI not installed: run `cd clients && npm ci` (needs node and npm) to enable this test");
    }

    @Test
    void codexAnswersAPlainQuestionThroughTheBridge(@TempDir Path scratch) throws Exception {
        String answer = "The capital of France is Paris (scripted).";
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Text(answer));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            CodexCli.Result result = codex.exec(scratch, new CodexCli.Provider(gateway.baseUrl(), "qwen", TestGateway.KEY),
                    "What is the capital of France?", Duration.ofSeconds(120));
            assertEquals(0, result.exitCode(), result.describe());
            assertTrue(result.stdout().contains(answer), result.describe());
            assertEquals(answer, result.lastMessage().strip(), result.describe());

            assertEquals(1, upstream.requests().size(), "one turn, one upstream request");
            JsonNode chat = upstream.requests().getFirst();
            assertEquals("scripted-model", chat.path("model").asText(), "the gateway picked the target for alias qwen");
            assertTrue(chat.path("stream").asBoolean());
            assertEquals("system", chat.path("messages").get(0).path("role").asText(), "Codex's developer instructions");
            assertTrue(ScriptedChatUpstream.lastMessage(chat).path("content").asText().contains("capital of France"));
        }
    }

    @Test
    void codexRunsTheShellToolTheModelAsksForAndSendsItsOutputBack(@TempDir Path scratch) throws Exception {
        String finalText = "The command printed the magic number, done (scripted).";
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> {
                JsonNode last = ScriptedChatUpstream.lastMessage(chat);
                if ("tool".equals(last.path("role").asText())) return new Reply.Text(finalText);
                return new Reply.ToolCall("call_shell_1", "exec_command", "{\"cmd\":\"echo tailgate-$((6*7))\"}",
                        "The user wants the magic number; the shell can compute it.");
             });
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            CodexCli.Result result = codex.exec(scratch, new CodexCli.Provider(gateway.baseUrl(), "qwen", TestGateway.KEY),
                    "Print the magic number using the shell.", Duration.ofSeconds(150));
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(finalText, result.lastMessage().strip(), result.describe());

            List<JsonNode> requests = upstream.requests();
            assertEquals(2, requests.size(), "tool call turn + answer turn: " + result.describe());
            JsonNode first = requests.get(0);
            assertTrue(toolNames(first).contains("exec_command"), "Codex offers its shell tool: " + toolNames(first));
            JsonNode second = requests.get(1);
            JsonNode toolMessage = ScriptedChatUpstream.lastMessage(second);
            assertEquals("tool", toolMessage.path("role").asText());
            assertEquals("call_shell_1", toolMessage.path("tool_call_id").asText());
            // The shell computed 6*7: the output proves Codex really ran the command.
            assertTrue(toolMessage.path("content").asText().contains("tailgate-42"), toolMessage.toString());
            JsonNode assistant = second.path("messages").get(second.path("messages").size() - 2);
            assertEquals("assistant", assistant.path("role").asText());
            assertEquals("exec_command", assistant.path("tool_calls").get(0).path("function").path("name").asText());
            assertEquals("call_shell_1", assistant.path("tool_calls").get(0).path("id").asText());
            // The upstream's reasoning for the tool call made the round trip through Codex (DeepSeek requires it).
            assertEquals("The user wants the magic number; the shell can compute it.", assistant.path("reasoning_content").asText(),
                    assistant.toString());
        }
    }

    @Test
    void codexFallsBackToHttpWhenTheWebSocketHandshakeIsRefused(@TempDir Path scratch) throws Exception {
        String answer = "Served over HTTP after the WebSocket refusal.";
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Text(answer));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            CodexCli.Result result = codex.exec(scratch, new CodexCli.Provider(gateway.baseUrl(), "qwen", TestGateway.KEY).withWebsockets(),
                    "Say something.", Duration.ofSeconds(120));
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(answer, result.lastMessage().strip(), result.describe());
            // Codex falls back silently on 426; on any other refusal (e.g. 404) it warns "Falling back from WebSockets".
            assertFalse(result.stderr().contains("Falling back from WebSockets"), result.describe());
        }
    }

    @Test
    void codexAppliesAPatchThroughItsFreeformToolAndSendsTheResultBack(@TempDir Path scratch) throws Exception {
        String patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello from tailgate\n*** End Patch\n";
        String finalText = "Created hello.txt (scripted).";
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> {
                JsonNode last = ScriptedChatUpstream.lastMessage(chat);
                if ("tool".equals(last.path("role").asText())) return new Reply.Text(finalText);
                return new Reply.ToolCall("call_patch_1", "apply_patch",
                        dev.tailgate.wire.Json.string(dev.tailgate.wire.Json.object().put("input", patch)));
             });
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            CodexCli.Result result = codex.exec(scratch, new CodexCli.Provider(gateway.baseUrl(), "qwen", TestGateway.KEY).withModelCatalog(),
                    "Create hello.txt saying hello.", Duration.ofSeconds(150));
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(finalText, result.lastMessage().strip(), result.describe());
            Path created = scratch.resolve("work/hello.txt");
            assertTrue(java.nio.file.Files.exists(created), "Codex applied the patch: " + result.describe());
            assertEquals("hello from tailgate\n", java.nio.file.Files.readString(created));

            List<JsonNode> requests = upstream.requests();
            assertEquals(2, requests.size(), result.describe());
            JsonNode applyPatch = java.util.stream.StreamSupport.stream(requests.get(0).path("tools").spliterator(), false)
                    .filter(t -> t.path("function").path("name").asText().equals("apply_patch")).findFirst().orElseThrow();
            assertEquals("string", applyPatch.path("function").path("parameters").path("properties").path("input").path("type").asText(),
                    "the freeform tool is offered as a function with one string parameter");
            JsonNode second = requests.get(1);
            JsonNode assistant = second.path("messages").get(second.path("messages").size() - 2);
            assertEquals(patch, dev.tailgate.wire.Json.parse(assistant.path("tool_calls").get(0).path("function").path("arguments").asText())
                    .path("input").asText(), "the custom_tool_call Codex echoed back is wrapped again as {input}");
            JsonNode toolMessage = ScriptedChatUpstream.lastMessage(second);
            assertEquals("tool", toolMessage.path("role").asText());
            assertEquals("call_patch_1", toolMessage.path("tool_call_id").asText());
            assertTrue(toolMessage.path("content").asText().contains("hello.txt"), toolMessage.toString());
        }
    }

    private static List<String> toolNames(JsonNode chat) {
        return java.util.stream.StreamSupport.stream(chat.path("tools").spliterator(), false)
                .map(t -> t.path("function").path("name").asText()).toList();
    }
}
