package dev.tailgate.gateway.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponsesRequestTranslatorTest {

    private static ObjectNode chat(String responsesJson) {
        return ResponsesRequestTranslator.translate(Json.parse(responsesJson.replace('\'', '"'))).chatRequest();
    }

    private static ApiError refusal(String responsesJson) {
        return assertThrows(InvalidResponsesRequest.class,
                () -> ResponsesRequestTranslator.translate(Json.parse(responsesJson.replace('\'', '"')))).error();
    }

    @Test
    void stringInputBecomesOneUserMessageAndInstructionsTheSystemMessage() {
        ObjectNode chat = chat("{'model':'qwen','instructions':'Be brief.','input':'Hi there'}");
        assertEquals("qwen", chat.get("model").asText());
        assertEquals(Json.parse("[{'role':'system','content':'Be brief.'},{'role':'user','content':'Hi there'}]".replace('\'', '"')),
                chat.get("messages"));
        assertFalse(chat.has("stream"));
        assertFalse(chat.has("tools"));
    }

    @Test
    void developerMessagesBecomeOneSystemMessageAndTextPartsAreJoined() {
        ObjectNode chat = chat("""
                {'model':'m','input':[
                  {'type':'message','role':'developer','content':[{'type':'input_text','text':'A'}]},
                  {'type':'message','role':'developer','content':[{'type':'input_text','text':'B'},{'type':'input_text','text':'C'}]},
                  {'type':'message','role':'user','content':[{'type':'input_text','text':'hello'}]},
                  {'role':'user','content':'easy message without type'}]}""");
        JsonNode messages = chat.get("messages");
        assertEquals(3, messages.size());
        assertEquals("system", messages.get(0).get("role").asText());
        assertEquals("A\n\nB\n\nC", messages.get(0).get("content").asText());
        assertEquals("hello", messages.get(1).get("content").asText());
        assertEquals("easy message without type", messages.get(2).get("content").asText());
    }

    @Test
    void multiTurnKeepsAssistantTurnsAndDropsReasoning() {
        ObjectNode chat = chat("""
                {'model':'m','input':[
                  {'type':'message','role':'user','content':[{'type':'input_text','text':'q1'}]},
                  {'type':'reasoning','id':'rs_1','summary':[],'encrypted_content':'opaque'},
                  {'type':'message','role':'assistant','content':[{'type':'output_text','text':'a1'}]},
                  {'type':'message','role':'user','content':[{'type':'input_text','text':'q2'}]}]}""");
        assertEquals(Json.parse("""
                [{'role':'user','content':'q1'},{'role':'assistant','content':'a1'},{'role':'user','content':'q2'}]""".replace('\'', '"')),
                chat.get("messages"));
    }

    @Test
    void reasoningThisBridgeEmittedGoesBackAsReasoningContentOfItsAssistantTurn() {
        ObjectNode chat = chat("""
                {'model':'m','input':[
                  {'type':'message','role':'user','content':'q1'},
                  {'type':'reasoning','id':'rs_1','summary':[],'content':[{'type':'reasoning_text','text':'think 1'}]},
                  {'type':'function_call','call_id':'c1','name':'f','arguments':'{}'},
                  {'type':'function_call_output','call_id':'c1','output':'r'},
                  {'type':'reasoning','id':'rs_2','summary':[],'content':[{'type':'reasoning_text','text':'think 2'}]},
                  {'type':'message','role':'assistant','content':[{'type':'output_text','text':'a1'}]},
                  {'type':'reasoning','id':'rs_3','summary':[],'content':[{'type':'reasoning_text','text':'orphan'}]},
                  {'type':'message','role':'user','content':'q2'},
                  {'type':'reasoning','id':'rs_openai','summary':[{'type':'summary_text','text':'s'}],'encrypted_content':'gAAA'},
                  {'type':'message','role':'assistant','content':'a2'}]}""");
        JsonNode messages = chat.get("messages");
        assertEquals("think 1", messages.get(1).path("reasoning_content").asText());
        assertEquals("c1", messages.get(1).path("tool_calls").get(0).path("id").asText());
        assertEquals("think 2", messages.get(3).path("reasoning_content").asText());
        assertEquals("a1", messages.get(3).path("content").asText());
        assertEquals("q2", messages.get(4).path("content").asText());
        assertFalse(messages.get(4).has("reasoning_content"), "reasoning before a user message is dropped");
        assertFalse(messages.get(5).has("reasoning_content"), "opaque (OpenAI) reasoning is never sent to a chat upstream");
    }

    @Test
    void functionCallsAreGroupedIntoTheAssistantMessageAndOutputsBecomeToolMessages() {
        ObjectNode chat = chat("""
                {'model':'m','tools':[{'type':'function','name':'exec_command','description':'run','strict':false,
                   'parameters':{'type':'object','properties':{'cmd':{'type':'string'}},'required':['cmd']}}],
                 'tool_choice':'auto','parallel_tool_calls':true,
                 'input':[
                  {'type':'message','role':'user','content':[{'type':'input_text','text':'list files'}]},
                  {'type':'message','role':'assistant','content':[{'type':'output_text','text':'Listing.'}]},
                  {'type':'function_call','call_id':'call_a','name':'exec_command','arguments':'{\\'cmd\\':\\'ls\\'}'},
                  {'type':'function_call','call_id':'call_b','name':'exec_command','arguments':'{\\'cmd\\':\\'pwd\\'}'},
                  {'type':'function_call_output','call_id':'call_a','output':'a.txt'},
                  {'type':'function_call_output','call_id':'call_b','output':[{'type':'input_text','text':'/tmp'}]}]}""");
        JsonNode messages = chat.get("messages");
        assertEquals(4, messages.size());
        JsonNode assistant = messages.get(1);
        assertEquals("Listing.", assistant.get("content").asText());
        assertEquals(2, assistant.get("tool_calls").size());
        JsonNode first = assistant.get("tool_calls").get(0);
        assertEquals("call_a", first.get("id").asText());
        assertEquals("function", first.get("type").asText());
        assertEquals("exec_command", first.path("function").path("name").asText());
        assertEquals("{\"cmd\":\"ls\"}", first.path("function").path("arguments").asText());
        assertEquals(Json.parse("{'role':'tool','tool_call_id':'call_a','content':'a.txt'}".replace('\'', '"')), messages.get(2));
        assertEquals("/tmp", messages.get(3).get("content").asText());

        JsonNode tool = chat.get("tools").get(0);
        assertEquals("function", tool.get("type").asText());
        assertEquals("exec_command", tool.path("function").path("name").asText());
        assertEquals("run", tool.path("function").path("description").asText());
        assertEquals("object", tool.path("function").path("parameters").path("type").asText());
        assertFalse(tool.path("function").has("strict"));
        assertEquals("auto", chat.get("tool_choice").asText());
        assertTrue(chat.get("parallel_tool_calls").asBoolean());
    }

    @Test
    void strayToolOutputsAndCallsWithoutOutputAreRepairedForStrictUpstreams() {
        ChatTranslation translation = ResponsesRequestTranslator.translate(json("""
                {'model':'m','input':[
                  {'type':'message','role':'user','content':'go'},
                  {'type':'local_shell_call','call_id':'ls_1','status':'completed','action':{'type':'exec','command':['ls']}},
                  {'type':'function_call_output','call_id':'ls_1','output':'a.txt'},
                  {'type':'function_call','call_id':'c1','name':'f','arguments':'{}'},
                  {'type':'function_call','call_id':'c2','name':'f','arguments':'{}'},
                  {'type':'function_call_output','call_id':'c2','output':'two'},
                  {'type':'message','role':'user','content':'next'}]}"""));
        JsonNode messages = translation.chatRequest().get("messages");
        assertEquals("user", messages.get(1).path("role").asText(), "the output of a dropped call is kept as text");
        assertTrue(messages.get(1).path("content").asText().contains("a.txt"));
        assertEquals(2, messages.get(2).path("tool_calls").size());
        assertEquals("c2", messages.get(3).path("tool_call_id").asText());
        assertEquals("c1", messages.get(4).path("tool_call_id").asText());
        assertEquals(ToolMessagePairing.MISSING_OUTPUT, messages.get(4).path("content").asText());
        assertEquals("next", messages.get(5).path("content").asText());
        assertEquals(6, messages.size());
    }

    private static JsonNode json(String singleQuoted) {
        return Json.parse(singleQuoted.replace('\'', '"'));
    }

    @Test
    void customToolBecomesAFunctionWithOneStringInputAndItsHistoryIsWrapped() {
        ChatTranslation translation = ResponsesRequestTranslator.translate(Json.parse("""
                {'model':'m','tools':[{'type':'custom','name':'apply_patch','description':'Edit files.',
                   'format':{'type':'grammar','syntax':'lark','definition':'start: begin_patch'}}],
                 'input':[
                  {'type':'message','role':'user','content':'patch it'},
                  {'type':'custom_tool_call','call_id':'call_p','name':'apply_patch','input':'*** Begin Patch'},
                  {'type':'custom_tool_call_output','call_id':'call_p','output':'Done!'}]}""".replace('\'', '"')));
        JsonNode function = translation.chatRequest().get("tools").get(0).get("function");
        assertEquals("apply_patch", function.get("name").asText());
        assertTrue(function.get("description").asText().startsWith("Edit files."));
        assertTrue(function.get("description").asText().contains("start: begin_patch"));
        assertEquals("string", function.path("parameters").path("properties").path("input").path("type").asText());
        assertEquals("input", function.path("parameters").path("required").get(0).asText());

        JsonNode call = translation.chatRequest().get("messages").get(1).get("tool_calls").get(0);
        assertEquals("{\"input\":\"*** Begin Patch\"}", call.path("function").path("arguments").asText());
        assertEquals("Done!", translation.chatRequest().get("messages").get(2).get("content").asText());
        assertEquals(ToolNameMap.Kind.CUSTOM, translation.tools().resolve("apply_patch").kind());
    }

    @Test
    void namespacedToolsAreFlattenedAndBuiltInToolsDroppedWithANote() {
        ChatTranslation translation = ResponsesRequestTranslator.translate(Json.parse("""
                {'model':'m','input':'hi','tools':[
                  {'type':'namespace','name':'multi_agent_v1','description':'agents','tools':[
                     {'type':'function','name':'spawn_agent','parameters':{'type':'object','properties':{}}}]},
                  {'type':'namespace','name':'mcp__files__','tools':[{'type':'function','name':'read'}]},
                  {'type':'web_search','external_web_access':false}]}""".replace('\'', '"')));
        JsonNode tools = translation.chatRequest().get("tools");
        assertEquals(2, tools.size());
        assertEquals("multi_agent_v1__spawn_agent", tools.get(0).path("function").path("name").asText());
        assertEquals("mcp__files__read", tools.get(1).path("function").path("name").asText());
        assertEquals(new ToolNameMap.ToolRef(ToolNameMap.Kind.FUNCTION, "multi_agent_v1", "spawn_agent"),
                translation.tools().resolve("multi_agent_v1__spawn_agent"));
        assertEquals("object", tools.get(1).path("function").path("parameters").path("type").asText());
        assertTrue(translation.notes().stream().anyMatch(n -> n.contains("web_search")), translation.notes().toString());
    }

    @Test
    void imagesBecomeImageUrlParts() {
        ObjectNode chat = chat("""
                {'model':'m','input':[{'type':'message','role':'user','content':[
                  {'type':'input_text','text':'what is this?'},
                  {'type':'input_image','image_url':'data:image/png;base64,AAAA','detail':'low'}]}]}""");
        JsonNode content = chat.get("messages").get(0).get("content");
        assertEquals("text", content.get(0).get("type").asText());
        assertEquals("image_url", content.get(1).get("type").asText());
        assertEquals("data:image/png;base64,AAAA", content.get(1).path("image_url").path("url").asText());
        assertEquals("low", content.get(1).path("image_url").path("detail").asText());
    }

    @Test
    void samplingLimitsFormatAndStreamAreMapped() {
        ObjectNode chat = chat("""
                {'model':'m','input':'x','stream':true,'temperature':0.2,'top_p':0.9,'max_output_tokens':77,
                 'store':false,'include':['reasoning.encrypted_content'],'reasoning':{'summary':'auto'},
                 'text':{'format':{'type':'json_schema','name':'answer','strict':true,
                   'schema':{'type':'object','properties':{'a':{'type':'string'}}}}}}""");
        assertTrue(chat.get("stream").asBoolean());
        assertTrue(chat.path("stream_options").path("include_usage").asBoolean());
        assertEquals(0.2, chat.get("temperature").asDouble());
        assertEquals(0.9, chat.get("top_p").asDouble());
        assertEquals(77, chat.get("max_tokens").asInt());
        assertEquals("json_schema", chat.path("response_format").path("type").asText());
        assertEquals("answer", chat.path("response_format").path("json_schema").path("name").asText());
        assertTrue(chat.path("response_format").path("json_schema").path("strict").asBoolean());
        assertFalse(chat.has("store"));
        assertFalse(chat.has("include"));
        assertFalse(chat.has("reasoning"));
        assertNull(chat.get("tool_choice"));
    }

    @Test
    void toolChoiceNamingACustomToolPointsAtItsFunction() {
        ObjectNode chat = chat("""
                {'model':'m','input':'x','tools':[{'type':'custom','name':'apply_patch'}],
                 'tool_choice':{'type':'custom','name':'apply_patch'}}""");
        assertEquals("apply_patch", chat.path("tool_choice").path("function").path("name").asText());
        assertEquals("function", chat.path("tool_choice").path("type").asText());
    }

    @Test
    void longOrOddToolNamesAreSanitisedAndMappedBack() {
        String longName = "x".repeat(80);
        ChatTranslation translation = ResponsesRequestTranslator.translate(Json.parse(
                ("{'model':'m','input':'x','tools':[{'type':'function','name':'read.file'},{'type':'function','name':'read_file'},"
                        + "{'type':'function','name':'" + longName + "'}]}").replace('\'', '"')));
        JsonNode tools = translation.chatRequest().get("tools");
        String dotted = tools.get(0).path("function").path("name").asText();
        String plain = tools.get(1).path("function").path("name").asText();
        String shortened = tools.get(2).path("function").path("name").asText();
        assertEquals("read_file", dotted);
        assertEquals("read_file_2", plain);
        assertTrue(shortened.length() <= 64 && shortened.matches("[A-Za-z0-9_-]+"), shortened);
        assertEquals("read.file", translation.tools().resolve(dotted).name());
        assertEquals("read_file", translation.tools().resolve(plain).name());
        assertEquals(longName, translation.tools().resolve(shortened).name());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'input':'x'}                                                           | model",
            "{'model':'m'}                                                           | input",
            "{'model':'m','input':42}                                                | input",
            "{'model':'m','input':[{'type':'message','role':'robot','content':'x'}]} | input[0].role",
            "{'model':'m','input':[{'type':'message','role':'user'}]}                | input[0].content",
            "{'model':'m','input':[{'type':'function_call','name':'f','arguments':'{}'}]} | input[0].call_id",
            "{'model':'m','input':[{'type':'function_call_output','output':'x'}]}     | input[0].call_id",
            "{'model':'m','input':[{'type':'message','role':'user','content':[{'type':'input_file','file_id':'f'}]}]} | input[0].content[0].type",
            "{'model':'m','input':[{'type':'message','role':'user','content':[{'type':'input_image','file_id':'f'}]}]} | input[0].content[0].image_url",
            "{'model':'m','input':[{'content':'no role'}]}                            | input[0].type",
            "{'model':'m','input':'x','previous_response_id':'resp_1'}               | previous_response_id",
            "{'model':'m','input':'x','temperature':'hot'}                           | temperature",
            "{'model':'m','input':'x','temperature':3}                               | temperature",
            "{'model':'m','input':'x','max_output_tokens':0}                         | max_output_tokens",
            "{'model':'m','input':'x','tools':{}}                                    | tools",
            "{'model':'m','input':'x','tools':[{'type':'function'}]}                 | tools[0].name",
            "{'model':'m','input':'x','tool_choice':'sometimes'}                     | tool_choice",
            "{'model':'m','input':'x','text':{'format':{'type':'yaml'}}}             | text.format.type",
            "{'model':'m','input':'x','stream':'yes'}                                | stream",
    })
    void invalidRequestsAreRefusedWithTheOffendingParam(String body, String param) {
        ApiError error = refusal(body);
        assertEquals(400, error.status());
        assertEquals("invalid_request_error", error.type());
        assertEquals(param, error.param());
    }

    @Test
    void aBodyThatIsNotAnObjectIsRefused() {
        ApiError error = refusal("[1,2]");
        assertEquals(400, error.status());
        assertNull(error.param());
    }
}
