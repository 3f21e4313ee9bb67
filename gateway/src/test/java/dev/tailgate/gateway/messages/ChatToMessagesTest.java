package dev.tailgate.gateway.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.responses.IdGenerator;
import dev.tailgate.wire.Json;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A non-streamed chat completion → an Anthropic message. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatToMessagesTest {
    private static JsonNode convert(String completion) {
        MessageContext context = MessageContext.of(MessagesRequestTranslator.translate(Json.parse(
                "{\"model\":\"qwen\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")), IdGenerator.sequential());
        return ChatToMessages.convert(Json.parse(completion.replace('\'', '"')), context);
    }

    @Test
    void textWithUsage() {
        JsonNode m = convert("{'model':'qwen','choices':[{'index':0,'message':{'role':'assistant','content':'Hi'},'finish_reason':'stop'}],"
                + "'usage':{'prompt_tokens':7,'completion_tokens':2}}");
        assertEquals("msg_1", m.path("id").asText());
        assertEquals("message", m.path("type").asText());
        assertEquals("assistant", m.path("role").asText());
        assertEquals("qwen", m.path("model").asText());
        assertEquals("[{\"type\":\"text\",\"text\":\"Hi\"}]", m.path("content").toString());
        assertEquals("end_turn", m.path("stop_reason").asText());
        assertTrue(m.path("stop_sequence").isNull());
        assertEquals("{\"input_tokens\":7,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":2}", m.path("usage").toString());
    }

    @Test
    void reasoningAndToolCalls() {
        JsonNode m = convert("{'choices':[{'index':0,'message':{'role':'assistant','content':null,'reasoning_content':'hmm',"
                + "'tool_calls':[{'id':'call_9','type':'function','function':{'name':'Bash','arguments':'{\\\"command\\\":\\\"ls\\\"}'}},"
                + "{'type':'function','function':{'name':'Read','arguments':'not json'}}]},'finish_reason':'tool_calls'}]}");
        JsonNode content = m.path("content");
        assertEquals(3, content.size(), content.toString());
        assertEquals("thinking", content.get(0).path("type").asText());
        assertEquals("hmm", content.get(0).path("thinking").asText());
        assertEquals("tool_use", content.get(1).path("type").asText());
        assertEquals("call_9", content.get(1).path("id").asText());
        assertEquals("{\"command\":\"ls\"}", content.get(1).path("input").toString());
        assertEquals("toolu_2", content.get(2).path("id").asText(), "a call without id gets one");
        assertEquals("{\"input\":\"not json\"}", content.get(2).path("input").toString(), "unparseable arguments are kept, not dropped");
        assertEquals("tool_use", m.path("stop_reason").asText());
    }

    @Test
    void lengthIsMaxTokens() {
        assertEquals("max_tokens", convert("{'choices':[{'index':0,'message':{'content':'x'},'finish_reason':'length'}]}").path("stop_reason").asText());
    }
}
