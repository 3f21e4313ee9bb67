package dev.tailgate.gateway.responses;

import static dev.tailgate.gateway.responses.BridgeFixtures.context;
import static dev.tailgate.gateway.responses.BridgeFixtures.empty;
import static dev.tailgate.gateway.responses.BridgeFixtures.finish;
import static dev.tailgate.gateway.responses.BridgeFixtures.json;
import static dev.tailgate.gateway.responses.BridgeFixtures.plainContext;
import static dev.tailgate.gateway.responses.BridgeFixtures.reasoning;
import static dev.tailgate.gateway.responses.BridgeFixtures.role;
import static dev.tailgate.gateway.responses.BridgeFixtures.text;
import static dev.tailgate.gateway.responses.BridgeFixtures.tool;
import static dev.tailgate.gateway.responses.BridgeFixtures.usage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponsesStreamBridgeTest {

    private final List<ResponsesEvent> events = new ArrayList<>();

    private ResponsesStreamBridge bridge(ResponseContext context) {
        return new ResponsesStreamBridge(context, events::add);
    }

    private List<String> types() {
        return events.stream().map(ResponsesEvent::type).collect(Collectors.toList());
    }

    private List<JsonNode> ofType(String type) {
        return events.stream().filter(e -> e.type().equals(type)).map(ResponsesEvent::data).collect(Collectors.toList());
    }

    private JsonNode last() {
        return events.getLast().data();
    }

    private void assertSequenceNumbersCount() {
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).sequenceNumber(), "sequence_number of event " + i);
            assertEquals(events.get(i).type(), events.get(i).data().get("type").asText());
        }
    }

    @Test
    void textStreamProducesTheExactEventSequence() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(role());
        bridge.onChunk(text("Hel"));
        bridge.onChunk(empty());
        bridge.onChunk(text("lo"));
        bridge.onChunk(finish("stop"));
        bridge.onChunk(usage(11, 2));
        bridge.onEnd();

        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed"), types());
        assertSequenceNumbersCount();

        JsonNode created = events.get(0).data().get("response");
        assertEquals("resp_1", created.get("id").asText());
        assertEquals("response", created.get("object").asText());
        assertEquals("in_progress", created.get("status").asText());
        assertEquals("qwen", created.get("model").asText());
        assertEquals(1_700_000_000L, created.get("created_at").asLong());
        assertEquals(0, created.get("output").size());

        JsonNode added = events.get(2).data();
        assertEquals(0, added.get("output_index").asInt());
        assertEquals("message", added.path("item").path("type").asText());
        assertEquals("in_progress", added.path("item").path("status").asText());
        String itemId = added.path("item").path("id").asText();
        assertTrue(itemId.startsWith("msg_"), itemId);

        for (JsonNode delta : ofType("response.output_text.delta")) {
            assertEquals(itemId, delta.get("item_id").asText());
            assertEquals(0, delta.get("output_index").asInt());
            assertEquals(0, delta.get("content_index").asInt());
        }
        assertEquals("Hello", ofType("response.output_text.done").getFirst().get("text").asText());
        assertEquals("Hello", ofType("response.content_part.done").getFirst().path("part").path("text").asText());

        JsonNode item = ofType("response.output_item.done").getFirst().get("item");
        assertEquals(json("{'id':'" + itemId + "','type':'message','status':'completed','role':'assistant',"
                + "'content':[{'type':'output_text','text':'Hello','annotations':[],'logprobs':[]}]}"), item);

        JsonNode completed = last().get("response");
        assertEquals("resp_1", completed.get("id").asText());
        assertEquals("completed", completed.get("status").asText());
        assertEquals(item, completed.get("output").get(0));
        assertEquals(json("{'input_tokens':11,'input_tokens_details':{'cached_tokens':0},'output_tokens':2,"
                + "'output_tokens_details':{'reasoning_tokens':0},'total_tokens':13}").toString(), completed.get("usage").toString());
        assertTrue(bridge.finished());
    }

    @Test
    void textThenParallelToolCallsGetTheirOwnItemsAndEveryArgumentDelta() {
        ResponsesStreamBridge bridge = bridge(context("""
                {'model':'qwen','input':'hi','stream':true,'tools':[{'type':'function','name':'exec_command'}]}"""));
        bridge.onChunk(text("Running two."));
        bridge.onChunk(tool(0, "call_a", "exec_command", ""));
        bridge.onChunk(tool(0, null, null, "{\"cmd\":"));
        bridge.onChunk(tool(1, "call_b", "exec_command", "{\"cmd\""));
        bridge.onChunk(tool(0, null, null, "\"ls\"}"));
        bridge.onChunk(tool(1, null, null, ":\"pwd\"}"));
        bridge.onChunk(finish("tool_calls"));
        bridge.onEnd();
        assertSequenceNumbersCount();

        List<JsonNode> added = ofType("response.output_item.added");
        assertEquals(3, added.size());
        assertEquals(List.of(0, 1, 2), added.stream().map(a -> a.get("output_index").asInt()).toList());
        // The message is done before the first tool call is announced.
        assertTrue(types().indexOf("response.output_item.done") < events.indexOf(events.stream()
                .filter(e -> e.type().equals("response.output_item.added") && e.data().get("output_index").asInt() == 1).findFirst().orElseThrow()));

        JsonNode callA = added.get(1).get("item");
        assertEquals("function_call", callA.get("type").asText());
        assertEquals("call_a", callA.get("call_id").asText());
        assertEquals("exec_command", callA.get("name").asText());
        assertEquals("", callA.get("arguments").asText());
        String idA = callA.get("id").asText();
        String idB = added.get(2).path("item").path("id").asText();

        StringBuilder argsA = new StringBuilder();
        StringBuilder argsB = new StringBuilder();
        for (JsonNode delta : ofType("response.function_call_arguments.delta")) {
            String id = delta.get("item_id").asText();
            if (id.equals(idA)) { argsA.append(delta.get("delta").asText()); assertEquals(1, delta.get("output_index").asInt()); }
            else if (id.equals(idB)) { argsB.append(delta.get("delta").asText()); assertEquals(2, delta.get("output_index").asInt()); }
            else throw new AssertionError("delta for unknown item " + id);
        }
        assertEquals("{\"cmd\":\"ls\"}", argsA.toString());
        assertEquals("{\"cmd\":\"pwd\"}", argsB.toString());

        List<JsonNode> argsDone = ofType("response.function_call_arguments.done");
        assertEquals("{\"cmd\":\"ls\"}", argsDone.get(0).get("arguments").asText());
        assertEquals("{\"cmd\":\"pwd\"}", argsDone.get(1).get("arguments").asText());

        JsonNode output = last().path("response").path("output");
        assertEquals("response.completed", last().get("type").asText());
        assertEquals(3, output.size());
        assertEquals("Running two.", output.get(0).path("content").get(0).path("text").asText());
        assertEquals(json("{'id':'" + idB + "','type':'function_call','status':'completed','call_id':'call_b','name':'exec_command',"
                + "'arguments':'{\\'cmd\\':\\'pwd\\'}'}".replace("\\'", "\\\"")), output.get(2));
    }

    @Test
    void customToolCallsComeBackAsCustomToolCallItemsWithTheUnwrappedInput() {
        ResponsesStreamBridge bridge = bridge(context("""
                {'model':'qwen','input':'hi','stream':true,'tools':[{'type':'custom','name':'apply_patch'}]}"""));
        bridge.onChunk(tool(0, "call_p", "apply_patch", "{\"input\":\"*** Begin"));
        bridge.onChunk(tool(0, null, null, " Patch\\n*** End Patch\"}"));
        bridge.onChunk(finish("tool_calls"));
        bridge.onEnd();
        assertSequenceNumbersCount();

        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done", "response.output_item.done",
                "response.completed"), types());
        assertEquals("custom_tool_call", ofType("response.output_item.added").getFirst().path("item").path("type").asText());
        assertEquals("*** Begin Patch\n*** End Patch", ofType("response.custom_tool_call_input.delta").getFirst().get("delta").asText());
        JsonNode item = ofType("response.output_item.done").getFirst().get("item");
        assertEquals("custom_tool_call", item.get("type").asText());
        assertEquals("call_p", item.get("call_id").asText());
        assertEquals("apply_patch", item.get("name").asText());
        assertEquals("*** Begin Patch\n*** End Patch", item.get("input").asText());
        assertFalse(item.has("arguments"));
    }

    @Test
    void namespacedToolCallsCarryTheirNamespace() {
        ResponsesStreamBridge bridge = bridge(context("""
                {'model':'qwen','input':'hi','stream':true,'tools':[{'type':'namespace','name':'multi_agent_v1',
                  'tools':[{'type':'function','name':'spawn_agent'}]}]}"""));
        bridge.onChunk(tool(0, "call_s", "multi_agent_v1__spawn_agent", "{}"));
        bridge.onEnd();
        JsonNode item = ofType("response.output_item.done").getFirst().get("item");
        assertEquals("spawn_agent", item.get("name").asText());
        assertEquals("multi_agent_v1", item.get("namespace").asText());
    }

    @Test
    void argumentsThatArriveBeforeTheNameAreNotLost() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(tool(0, "call_x", null, "{\"a\":"));
        assertEquals(List.of("response.created", "response.in_progress"), types(), "nothing to announce before the name");
        bridge.onChunk(tool(0, null, "lookup", "1}"));
        bridge.onEnd();
        List<JsonNode> deltas = ofType("response.function_call_arguments.delta");
        assertEquals("{\"a\":1}", deltas.stream().map(d -> d.get("delta").asText()).collect(Collectors.joining()));
        assertEquals("{\"a\":1}", ofType("response.output_item.done").getFirst().path("item").path("arguments").asText());
    }

    @Test
    void aToolCallWithoutAnIdGetsOneAndEmptyArgumentsBecomeAnEmptyObject() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(tool(0, null, "now", null));
        bridge.onEnd();
        JsonNode item = ofType("response.output_item.done").getFirst().get("item");
        assertTrue(item.get("call_id").asText().startsWith("call_"), item.toString());
        assertEquals("{}", item.get("arguments").asText());
    }

    @Test
    void toolCallsWithoutIndexAreTrackedByIdAndObjectArgumentsAreKept() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(json("{'choices':[{'index':0,'delta':{'tool_calls':[{'id':'call_1','function':{'name':'a','arguments':'{\\'x\\':'}}]}}]}"));
        bridge.onChunk(json("{'choices':[{'index':0,'delta':{'tool_calls':[{'id':'call_1','function':{'arguments':'1}'}}]}}]}"));
        bridge.onChunk(json("{'choices':[{'index':0,'delta':{'tool_calls':[{'id':'call_2','function':{'name':'b','arguments':{'y':2}}}]}}]}"));
        bridge.onEnd();
        List<JsonNode> done = ofType("response.output_item.done");
        assertEquals(2, done.size(), types().toString());
        assertEquals("call_1", done.get(0).path("item").path("call_id").asText());
        assertEquals("{\"x\":1}", done.get(0).path("item").path("arguments").asText());
        assertEquals("call_2", done.get(1).path("item").path("call_id").asText());
        assertEquals("{\"y\":2}", done.get(1).path("item").path("arguments").asText());
    }

    @Test
    void reasoningContentBecomesAReasoningItemBeforeTheMessage() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(reasoning("Thinking"));
        bridge.onChunk(reasoning(" hard"));
        bridge.onChunk(text("Answer"));
        bridge.onEnd();
        assertSequenceNumbersCount();
        List<JsonNode> done = ofType("response.output_item.done");
        assertEquals("reasoning", done.get(0).path("item").path("type").asText());
        assertEquals("Thinking hard", done.get(0).path("item").path("content").get(0).path("text").asText());
        assertEquals(0, done.get(0).get("output_index").asInt());
        assertEquals("message", done.get(1).path("item").path("type").asText());
        assertEquals(1, done.get(1).get("output_index").asInt());
    }

    @Test
    void lengthFinishEndsWithResponseIncomplete() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(text("Cut sh"));
        bridge.onChunk(finish("length"));
        bridge.onChunk(usage(5, 3));
        bridge.onEnd();
        assertEquals("response.incomplete", events.getLast().type());
        JsonNode response = last().get("response");
        assertEquals("incomplete", response.get("status").asText());
        assertEquals("max_output_tokens", response.path("incomplete_details").path("reason").asText());
        assertEquals("incomplete", response.path("output").get(0).path("status").asText());
        assertEquals(3, response.path("usage").path("output_tokens").asInt());
        assertEquals(1, events.stream().filter(e -> e.type().startsWith("response.") && e.type().matches("response\\.(completed|incomplete|failed)")).count());
    }

    @Test
    void failureMidStreamEndsWithErrorAndResponseFailedAndNeverCompletesAHalfToolCall() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(text("Let me run it."));
        bridge.onChunk(tool(0, "call_a", "exec_command", "{\"cmd\":\"rm -"));
        bridge.onError(ApiError.upstream("upstream connection closed mid-stream"));
        bridge.onChunk(text("late")); // ignored: the response is over
        bridge.onEnd();              // ignored too
        assertSequenceNumbersCount();

        List<String> types = types();
        assertEquals("error", types.get(types.size() - 2));
        assertEquals("response.failed", types.getLast());
        assertFalse(types.contains("response.completed"));
        assertFalse(types.contains("response.function_call_arguments.done"));
        // Only the finished message is done; the half tool call is not.
        assertEquals(1, ofType("response.output_item.done").size());
        assertEquals("message", ofType("response.output_item.done").getFirst().path("item").path("type").asText());

        JsonNode error = events.get(types.size() - 2).data();
        assertEquals("upstream_error", error.get("code").asText());
        JsonNode failed = last().get("response");
        assertEquals("failed", failed.get("status").asText());
        assertEquals("upstream_error", failed.path("error").path("code").asText());
        assertEquals("upstream connection closed mid-stream", failed.path("error").path("message").asText());
        assertEquals(1, failed.get("output").size());
    }

    @Test
    void anErrorObjectInsideTheStreamFailsTheResponse() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(text("a"));
        bridge.onChunk(json("{'error':{'message':'overloaded','code':'server_busy'}}"));
        assertEquals("response.failed", events.getLast().type());
        assertTrue(last().path("response").path("error").path("message").asText().contains("overloaded"));
        assertEquals("server_busy", last().path("response").path("error").path("code").asText());
    }

    @Test
    void anErrorBeforeAnyChunkStillOpensTheResponseSoTheClientSeesWhy() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onError(ApiError.timeout("no first token within 30s"));
        assertEquals(List.of("response.created", "response.in_progress", "error", "response.failed"), types());
        assertEquals("upstream_timeout", last().path("response").path("error").path("code").asText());
    }

    @Test
    void anEmptyStreamCompletesWithNoOutput() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(empty());
        bridge.onChunk(json("{'choices':[]}"));
        bridge.onChunk(json("{}"));
        bridge.onEnd();
        assertEquals(List.of("response.created", "response.in_progress", "response.completed"), types());
        assertEquals(0, last().path("response").path("output").size());
        assertTrue(last().path("response").path("usage").isNull());
    }

    @Test
    void eachEventIsOneSseFrameNamedByItsType() {
        ResponsesStreamBridge bridge = bridge(plainContext());
        bridge.onChunk(text("line1\nline2"));
        bridge.onEnd();
        for (ResponsesEvent event : events) {
            String frame = event.toSse();
            assertTrue(frame.startsWith("event: " + event.type() + "\ndata: {"), frame);
            assertTrue(frame.endsWith("}\n\n"), frame);
            assertEquals(3, frame.split("\n", -1).length - 1, "exactly three newlines: " + frame);
            assertEquals(dev.tailgate.wire.Json.string(event.data()), frame.substring(frame.indexOf("data: ") + 6).trim());
        }
    }
}
