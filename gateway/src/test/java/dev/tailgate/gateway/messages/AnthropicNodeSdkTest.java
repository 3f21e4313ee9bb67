package dev.tailgate.gateway.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.responses.TestGateway;
import dev.tailgate.testing.NodeClients;
import dev.tailgate.testing.responses.ScriptedChatUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official {@code @anthropic-ai/sdk} (node) against {@code /v1/messages}: create, stream (text, tool use,
 * thinking), countTokens, and its error classes for 401/404/429 ({@code clients/anthropic-conformance.mjs}). The SDK's
 * stream accumulator throws on any event out of place, so a pass is a strict check of the event sequence.
 * Skipped, saying why, when node or the SDK ({@code cd clients && npm ci}) is missing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AnthropicNodeSdkTest {

    @Test
    void theAnthropicSdkPassesEveryConformanceStep() throws Exception {
        Path clients = NodeClients.requireAnthropicSdk();
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(AnthropicNodeSdkTest::script);
             TestGateway gateway = TestGateway.withProviders("""
                     providers:
                       scripted:
                         base_url: %s
                         timeout: 30s
                     models:
                       qwen:
                         targets: [scripted/scripted-model]
                       busy:
                         targets: [scripted/busy-model]
                     """.formatted(upstream.baseUrl()))) {
            ProcessBuilder pb = new ProcessBuilder("node", "anthropic-conformance.mjs").directory(clients.toFile()).redirectErrorStream(true);
            pb.environment().put("BASE_URL", "http://127.0.0.1:" + gateway.port());
            pb.environment().put("API_KEY", TestGateway.KEY);
            pb.environment().put("MODEL", "qwen");
            pb.environment().put("BUSY_MODEL", "busy");
            Process process = pb.start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), out);
            assertEquals(0, process.exitValue(), out);
            assertTrue(out.contains("anthropic: 9 passed, 0 failed"), out);

            // The tool-result turn reached the upstream as a chat tool message answering the call.
            List<JsonNode> withToolResult = upstream.requests().stream()
                    .filter(r -> "tool".equals(ScriptedChatUpstream.lastMessage(r).path("role").asText())).toList();
            assertEquals(1, withToolResult.size(), out);
            JsonNode tool = ScriptedChatUpstream.lastMessage(withToolResult.getFirst());
            assertEquals("toolu_weather_1", tool.path("tool_call_id").asText());
            assertEquals("21°C, sunny", tool.path("content").asText());
        }
    }

    private static Reply script(JsonNode chat) {
        if (chat.path("model").asText().equals("busy-model")) return new Reply.HttpError(429, "slow down");
        JsonNode last = ScriptedChatUpstream.lastMessage(chat);
        if ("tool".equals(last.path("role").asText())) return new Reply.Text("It is sunny in Paris.");
        if (chat.path("tools").isArray() && !chat.path("tools").isEmpty()) {
            String reasoning = last.path("content").asText().contains("think") ? "Paris weather needs the tool." : null;
            return new Reply.ToolCall("toolu_weather_1", "get_weather", "{\"city\":\"Paris\"}", reasoning);
        }
        return new Reply.Text("Hello from the gateway.");
    }
}
