package dev.tailgate.gateway.responses;

import static dev.tailgate.gateway.responses.BridgeFixtures.context;
import static dev.tailgate.gateway.responses.BridgeFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatToResponsesTest {

    @Test
    void textCompletionBecomesACompletedResponseWithOneMessageAndUsage() {
        ObjectNode response = ChatToResponses.convert(json("""
                {'id':'chatcmpl-1','object':'chat.completion','model':'upstream-x','choices':[{'index':0,
                  'message':{'role':'assistant','content':'Paris.'},'finish_reason':'stop'}],
                 'usage':{'prompt_tokens':9,'completion_tokens':2,'total_tokens':11,
                   'prompt_tokens_details':{'cached_tokens':4},'completion_tokens_details':{'reasoning_tokens':1}}}"""),
                context("{'model':'qwen','input':'Capital of France?','instructions':'Be brief.'}"));
        assertEquals("resp_1", response.get("id").asText());
        assertEquals("response", response.get("object").asText());
        assertEquals(1_700_000_000L, response.get("created_at").asLong());
        assertEquals("completed", response.get("status").asText());
        assertEquals("qwen", response.get("model").asText(), "the alias the client asked for, not the upstream model");
        assertEquals("Be brief.", response.get("instructions").asText());
        assertTrue(response.get("error").isNull());
        JsonNode output = response.get("output");
        assertEquals(1, output.size());
        assertEquals("message", output.get(0).get("type").asText());
        assertEquals("assistant", output.get(0).get("role").asText());
        assertEquals("completed", output.get(0).get("status").asText());
        assertEquals("output_text", output.get(0).path("content").get(0).path("type").asText());
        assertEquals("Paris.", output.get(0).path("content").get(0).path("text").asText());
        JsonNode usage = response.get("usage");
        assertEquals(9, usage.get("input_tokens").asInt());
        assertEquals(4, usage.path("input_tokens_details").path("cached_tokens").asInt());
        assertEquals(2, usage.get("output_tokens").asInt());
        assertEquals(1, usage.path("output_tokens_details").path("reasoning_tokens").asInt());
        assertEquals(11, usage.get("total_tokens").asInt());
    }

    @Test
    void toolCallsBecomeFunctionAndCustomToolCallItems() {
        ResponseContext context = context("""
                {'model':'qwen','input':'go','tools':[{'type':'function','name':'exec_command'},{'type':'custom','name':'apply_patch'}]}""");
        ObjectNode response = ChatToResponses.convert(json("""
                {'choices':[{'index':0,'finish_reason':'tool_calls','message':{'role':'assistant','content':null,'tool_calls':[
                  {'id':'call_1','type':'function','function':{'name':'exec_command','arguments':'{\\'cmd\\':\\'ls\\'}'}},
                  {'id':'call_2','type':'function','function':{'name':'apply_patch','arguments':'{\\'input\\':\\'*** Begin Patch\\'}'}}]}}]}"""
                .replace("\\'", "\\\"")), context);
        JsonNode output = response.get("output");
        assertEquals(2, output.size(), "no empty message item for a null content");
        JsonNode call = output.get(0);
        assertEquals("function_call", call.get("type").asText());
        assertEquals("call_1", call.get("call_id").asText());
        assertEquals("exec_command", call.get("name").asText());
        assertEquals("{\"cmd\":\"ls\"}", call.get("arguments").asText());
        assertTrue(call.get("id").asText().startsWith("fc_"));
        JsonNode custom = output.get(1);
        assertEquals("custom_tool_call", custom.get("type").asText());
        assertEquals("call_2", custom.get("call_id").asText());
        assertEquals("*** Begin Patch", custom.get("input").asText());
        assertFalse(custom.has("arguments"));
        assertTrue(response.get("usage").isNull());
    }

    @Test
    void lengthFinishMakesTheResponseIncomplete() {
        ObjectNode response = ChatToResponses.convert(json("""
                {'choices':[{'index':0,'finish_reason':'length','message':{'role':'assistant','content':'Once upon'}}]}"""),
                context("{'model':'qwen','input':'story','max_output_tokens':2}"));
        assertEquals("incomplete", response.get("status").asText());
        assertEquals("max_output_tokens", response.path("incomplete_details").path("reason").asText());
        assertEquals("incomplete", response.path("output").get(0).path("status").asText());
        assertEquals(2, response.get("max_output_tokens").asInt());
    }

    @Test
    void reasoningContentBecomesAReasoningItemFirst() {
        ObjectNode response = ChatToResponses.convert(json("""
                {'choices':[{'index':0,'finish_reason':'stop','message':{'role':'assistant','reasoning_content':'hmm','content':'42'}}]}"""),
                context("{'model':'qwen','input':'q'}"));
        assertEquals("reasoning", response.path("output").get(0).path("type").asText());
        assertEquals("hmm", response.path("output").get(0).path("content").get(0).path("text").asText());
        assertEquals("42", response.path("output").get(1).path("content").get(0).path("text").asText());
    }
}
