package dev.tailgate.gateway.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.responses.TestGateway;
import dev.tailgate.testing.messages.ClaudeCodeCli;
import dev.tailgate.testing.responses.ScriptedChatUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code CLI ({@code claude -p}) against {@code /v1/messages}, bridged to a scripted chat upstream.
 * Skipped, saying why, only when Claude Code or node is not installed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClaudeCodeCliTest {
    private static ClaudeCodeCli claude;

    @BeforeAll
    static void findClaudeCode() {
        claude = ClaudeCodeCli.find().orElse(null);
        Assumptions.assumeTrue(claude != null,
                "Claude Code not installed: run `cd clients && npm ci` (needs node and npm) to enable this test");
    }

    @Test
    void claudeCodeRunsTheBashToolTheModelAsksForAndPrintsTheFinalAnswer(@TempDir Path scratch) throws Exception {
        String finalText = "The shell says tailgate-42, done (scripted).";
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> {
                if (!offersBash(chat)) return new Reply.Text("Side task (scripted)."); // e.g. a title or topic request
                JsonNode last = ScriptedChatUpstream.lastMessage(chat);
                if ("tool".equals(last.path("role").asText())) return new Reply.Text(finalText);
                return new Reply.ToolCall("call_bash_1", "Bash", "{\"command\":\"echo tailgate-$((6*7))\",\"description\":\"Print the magic number\"}",
                        "The user wants the magic number; Bash can compute it.");
             });
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            ClaudeCodeCli.Result result = claude.print(scratch, "http://127.0.0.1:" + gateway.port(), "qwen", TestGateway.KEY,
                    "Print the magic number using the Bash tool.", Duration.ofSeconds(180));
            assertEquals(0, result.exitCode(), result.describe());
            assertEquals(finalText, result.stdout().strip(), result.describe());

            List<JsonNode> agentTurns = upstream.requests().stream().filter(ClaudeCodeCliTest::offersBash).toList();
            assertEquals(2, agentTurns.size(), "tool call turn + answer turn: " + result.describe());
            JsonNode first = agentTurns.get(0);
            assertEquals("scripted-model", first.path("model").asText(), "the gateway picked the target for alias qwen");
            assertEquals("system", first.path("messages").get(0).path("role").asText(), "Claude Code's system prompt");
            JsonNode second = agentTurns.get(1);
            JsonNode toolMessage = ScriptedChatUpstream.lastMessage(second);
            assertEquals("tool", toolMessage.path("role").asText(), second.toString());
            assertEquals("call_bash_1", toolMessage.path("tool_call_id").asText());
            // The shell computed 6*7: the output proves Claude Code really ran the command.
            assertTrue(toolMessage.path("content").asText().contains("tailgate-42"), toolMessage.toString());
            JsonNode assistant = second.path("messages").get(second.path("messages").size() - 2);
            assertEquals("assistant", assistant.path("role").asText());
            assertEquals("Bash", assistant.path("tool_calls").get(0).path("function").path("name").asText());
            assertEquals("call_bash_1", assistant.path("tool_calls").get(0).path("id").asText());
            // The thinking block Claude Code echoed back went to the upstream as reasoning_content again.
            assertEquals("The user wants the magic number; Bash can compute it.", assistant.path("reasoning_content").asText(), assistant.toString());
        }
    }

    static boolean offersBash(JsonNode chat) {
        return StreamSupport.stream(chat.path("tools").spliterator(), false)
                .anyMatch(t -> t.path("function").path("name").asText().equals("Bash"));
    }
}
