package dev.tailgate.gateway.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.responses.ScriptedChatUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream.Reply;
import dev.tailgate.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The openai npm SDK's {@code responses.stream()} rebuilds the response from the events and throws on any event that
 * does not fit (unknown output_index, content part out of order, …): a strict check of our event sequence.
 * Skipped, saying why, when node or the SDK ({@code cd clients && npm ci}) is missing.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OpenAiNodeSdkResponsesTest {
    private static final String SCRIPT = """
            import OpenAI from 'openai';
            const [baseURL, apiKey, withTools] = process.argv.slice(1);
            const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30000 });
            const params = { model: 'qwen', input: 'hi' };
            if (withTools === 'tools') params.tools = [{ type: 'function', name: 'exec_command', strict: false,
                parameters: { type: 'object', properties: { cmd: { type: 'string' } } } }];
            const stream = client.responses.stream(params);
            const types = [];
            for await (const event of stream) types.push(event.type);
            const final = await stream.finalResponse();
            console.log(JSON.stringify({ types, status: final.status, text: final.output_text, output: final.output }));
            """;
    private static Path clients;

    @BeforeAll
    static void findSdk() {
        clients = dev.tailgate.testing.NodeClients.requireOpenAiSdk();
    }

    private static JsonNode run(TestGateway gateway, String mode) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder("node", "--input-type=module", "-e", SCRIPT, gateway.baseUrl(), TestGateway.KEY, mode)
                    .directory(clients.toFile()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("node is not installed: " + e.getMessage());
            throw e;
        }
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "node finished");
        String text = new String(out, java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(0, process.exitValue(), text);
        return Json.parse(text.substring(text.lastIndexOf('\n') + 1));
    }

    @Test
    void theSdkAccumulatesOurTextStream() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Text("Accumulated by the npm SDK."));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            JsonNode result = run(gateway, "plain");
            assertEquals("completed", result.path("status").asText());
            assertEquals("Accumulated by the npm SDK.", result.path("text").asText());
            assertEquals("response.created", result.path("types").get(0).asText());
            assertEquals("response.completed", result.path("types").get(result.path("types").size() - 1).asText());
        }
    }

    @Test
    void theSdkAccumulatesOurToolCallStream() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.ToolCall("call_n", "exec_command", "{\"cmd\":\"uname -a\"}"));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            JsonNode result = run(gateway, "tools");
            JsonNode call = result.path("output").get(0);
            assertEquals("function_call", call.path("type").asText());
            assertEquals("call_n", call.path("call_id").asText());
            assertEquals("{\"cmd\":\"uname -a\"}", call.path("arguments").asText());
        }
    }
}
