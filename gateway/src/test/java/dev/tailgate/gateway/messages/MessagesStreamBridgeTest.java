package dev.tailgate.gateway.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.responses.IdGenerator;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Chat chunks → Messages events: exact order, types and indexes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessagesStreamBridgeTest {
    private final List<MessagesEvent> events = new ArrayList<>();
    private final MessagesStreamBridge bridge = new MessagesStreamBridge(
            MessageContext.of(MessagesRequestTranslator.translate(Json.parse(
                    "{\"model\":\"qwen\",\"max_tokens\":9,\"stop_sequences\":[\"END\"],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")),
                    IdGenerator.sequential()),
            events::add);

    private void chunk(String json) {
        bridge.onChunk(Json.parse(json.replace('\'', '"')));
    }

    private List<String> trace() {
        List<String> out = new ArrayList<>();
        for (MessagesEvent e : events) {
            JsonNode d = e.data();
            assertEquals(e.type(), d.path("type").asText(), "type first in data");
            String s = e.type();
            if (d.has("index")) s += "#" + d.get("index").asInt();
            if (d.has("content_block")) s += ":" + d.get("content_block").path("type").asText();
            if (d.has("delta") && d.get("delta").has("type")) s += ":" + d.get("delta").get("type").asText();
            if (e.type().equals("message_delta")) s += ":" + d.path("delta").path("stop_reason").asText();
            out.add(s);
        }
        return out;
    }

    private JsonNode last(String type) {
        JsonNode found = null;
        for (MessagesEvent e : events) if (e.type().equals(type)) found = e.data();
        return found;
    }

    @Test
    void textStream() {
        chunk("{'choices':[{'index':0,'delta':{'role':'assistant','content':''}}]}");
        chunk("{'choices':[{'index':0,'delta':{'content':'Hel'}}]}");
        chunk("{'choices':[{'index':0,'delta':{'content':'lo'}}]}");
        chunk("{'choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}");
        chunk("{'choices':[],'usage':{'prompt_tokens':12,'completion_tokens':3}}");
        bridge.onEnd();
        assertEquals(List.of("message_start", "ping", "content_block_start#0:text", "content_block_delta#0:text_delta",
                "content_block_delta#0:text_delta", "content_block_stop#0", "message_delta:end_turn", "message_stop"), trace());
        JsonNode start = events.getFirst().data().path("message");
        assertEquals("msg_1", start.path("id").asText());
        assertEquals("qwen", start.path("model").asText());
        assertTrue(start.path("content").isArray() && start.path("content").isEmpty());
        assertEquals("Hel", events.get(3).data().path("delta").path("text").asText());
        JsonNode usage = last("message_delta").path("usage");
        assertEquals(12, usage.path("input_tokens").asInt());
        assertEquals(3, usage.path("output_tokens").asInt());
        assertEquals(0, usage.path("cache_read_input_tokens").asInt());
        assertTrue(last("message_delta").path("delta").path("stop_sequence").isNull());
        assertTrue(bridge.finished());
    }

    @Test
    void thinkingThenTextThenToolUse() {
        chunk("{'choices':[{'index':0,'delta':{'reasoning_content':'Let me '}}]}");
        chunk("{'choices':[{'index':0,'delta':{'reasoning_content':'think.'}}]}");
        chunk("{'choices':[{'index':0,'delta':{'content':'Checking.'}}]}");
        chunk("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_1','type':'function','function':{'name':'Bash','arguments':''}}]}}]}");
        chunk("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{\\\"command\\\"'}}]}}]}");
        chunk("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':':\\\"ls\\\"}'}}]}}]}");
        chunk("{'choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}");
        bridge.onEnd();
        assertEquals(List.of("message_start", "ping",
                "content_block_start#0:thinking", "content_block_delta#0:thinking_delta", "content_block_delta#0:thinking_delta", "content_block_stop#0",
                "content_block_start#1:text", "content_block_delta#1:text_delta", "content_block_stop#1",
                "content_block_start#2:tool_use", "content_block_delta#2:input_json_delta", "content_block_delta#2:input_json_delta", "content_block_stop#2",
                "message_delta:tool_use", "message_stop"), trace());
        JsonNode toolStart = events.get(9).data().path("content_block");
        assertEquals("call_1", toolStart.path("id").asText());
        assertEquals("Bash", toolStart.path("name").asText());
        assertEquals("{}", toolStart.path("input").toString());
        assertEquals("{\"command\"", events.get(10).data().path("delta").path("partial_json").asText());
        assertEquals(":\"ls\"}", events.get(11).data().path("delta").path("partial_json").asText());
        assertEquals("", events.get(2).data().path("content_block").path("thinking").asText());
        assertEquals("think.", events.get(4).data().path("delta").path("thinking").asText());
    }

    @Test
    void parallelToolCallsBecomeConsecutiveBlocksAndArgumentsBeforeTheNameAreKept() {
        chunk("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{}'}}]}}]}");
        chunk("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'a','function':{'name':'f'}}]}}]}");
        chunk("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'id':'b','function':{'name':'g','arguments':'{}'}}]}}]}");
        chunk("{'choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}]}");
        bridge.onEnd();
        assertEquals(List.of("message_start", "ping",
                "content_block_start#0:tool_use", "content_block_delta#0:input_json_delta", "content_block_stop#0",
                "content_block_start#1:tool_use", "content_block_delta#1:input_json_delta", "content_block_stop#1",
                "message_delta:tool_use", "message_stop"), trace());
        assertEquals("b", events.get(5).data().path("content_block").path("id").asText());
    }

    @Test
    void aFailureMidStreamEndsWithAnErrorEventAndNoMessageStop() {
        chunk("{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'c','function':{'name':'Bash','arguments':'{\\\"comm'}}]}}]}");
        bridge.onError(ApiError.upstream("provider 'p' connection broke"));
        bridge.onEnd(); // ignored: the stream is over
        bridge.ping();  // ignored too
        assertEquals(List.of("message_start", "ping", "content_block_start#0:tool_use", "content_block_delta#0:input_json_delta", "error"), trace());
        JsonNode error = last("error");
        assertEquals("api_error", error.path("error").path("type").asText());
        assertEquals("provider 'p' connection broke", error.path("error").path("message").asText());
        assertFalse(trace().contains("content_block_stop#0"), "a half-received tool call is never completed");
    }

    @Test
    void anErrorChunkFromTheUpstreamIsAnErrorEvent() {
        chunk("{'choices':[{'index':0,'delta':{'content':'Hi'}}]}");
        chunk("{'error':{'message':'model crashed','code':'oops'}}");
        assertEquals(List.of("message_start", "ping", "content_block_start#0:text", "content_block_delta#0:text_delta", "error"), trace());
        assertTrue(last("error").path("error").path("message").asText().contains("model crashed"));
    }

    @Test
    void stopReasonsFollowTheFinishReason() {
        chunk("{'choices':[{'index':0,'delta':{'content':'x'},'finish_reason':'length'}]}");
        bridge.onEnd();
        assertEquals("max_tokens", last("message_delta").path("delta").path("stop_reason").asText());

        events.clear();
        MessagesStreamBridge other = new MessagesStreamBridge(MessageContext.of(MessagesRequestTranslator.translate(Json.parse(
                "{\"model\":\"q\",\"max_tokens\":9,\"stop_sequences\":[\"END\"],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")),
                IdGenerator.sequential()), events::add);
        other.onChunk(Json.parse("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\",\"stop_reason\":\"END\"}]}"));
        other.onEnd();
        ObjectNode delta = (ObjectNode) last("message_delta").path("delta");
        assertEquals("stop_sequence", delta.path("stop_reason").asText());
        assertEquals("END", delta.path("stop_sequence").asText());
    }

    @Test
    void pingsGoOutOnlyWhileTheStreamIsOpen() {
        bridge.ping();
        assertTrue(events.isEmpty(), "nothing before the stream starts");
        bridge.start();
        bridge.ping();
        assertEquals(List.of("message_start", "ping", "ping"), trace());
    }
}
