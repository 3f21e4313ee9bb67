package dev.tailgate.gateway.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Anthropic Messages request → chat completions: every field and every content block type. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessagesRequestTranslatorTest {

    private static ObjectNode chat(String json) {
        return translation(json).chatRequest();
    }

    private static MessagesTranslation translation(String json) {
        return MessagesRequestTranslator.translate(Json.parse(json.replace('\'', '"')));
    }

    private static InvalidMessagesRequest refused(String json) {
        return assertThrows(InvalidMessagesRequest.class, () -> translation(json));
    }

    @Test
    void claudeCodesRequestShapeIsAccepted() {
        // the fields Claude Code 2.1 sends (measured), with cache_control on system blocks and a mid-conversation system message
        MessagesTranslation t = translation("""
                {'model':'qwen','max_tokens':32000,'stream':true,
                 'system':[{'type':'text','text':'You are Claude Code.','cache_control':{'type':'ephemeral'}},
                           {'type':'text','text':'Be concise.','cache_control':{'type':'ephemeral','ttl':'1h'}}],
                 'messages':[{'role':'user','content':[{'type':'text','text':'hi','cache_control':{'type':'ephemeral'}}]},
                             {'role':'assistant','content':'hello'},
                             {'role':'system','content':'<system-reminder>todo list is empty</system-reminder>'},
                             {'role':'user','content':'go on'}],
                 'thinking':{'type':'adaptive'},'context_management':{'edits':[{'type':'clear_thinking_20251015','keep':'all'}]},
                 'output_config':{'effort':'high'},'metadata':{'user_id':'user_abc'},
                 'tools':[{'name':'Bash','description':'Run a command','input_schema':{'type':'object','properties':{'command':{'type':'string'}}},
                           'cache_control':{'type':'ephemeral'}}]}
                """);
        JsonNode chat = t.chatRequest();
        assertEquals("qwen", chat.path("model").asText());
        assertEquals(32000, chat.path("max_tokens").asInt());
        assertTrue(chat.path("stream").asBoolean());
        assertTrue(chat.path("stream_options").path("include_usage").asBoolean());
        JsonNode messages = chat.path("messages");
        assertEquals(5, messages.size(), messages.toString());
        assertEquals("system", messages.get(0).path("role").asText());
        assertEquals("You are Claude Code.\n\nBe concise.", messages.get(0).path("content").asText());
        assertEquals("hi", messages.get(1).path("content").asText(), "text-only user content becomes a plain string");
        assertEquals("assistant", messages.get(2).path("role").asText());
        assertEquals("user", messages.get(3).path("role").asText(), "a mid-conversation system message becomes a user message");
        assertEquals("<system-reminder>todo list is empty</system-reminder>", messages.get(3).path("content").asText());
        assertEquals("user_abc", chat.path("user").asText());
        assertEquals("Bash", chat.path("tools").get(0).path("function").path("name").asText());
        assertEquals("object", chat.path("tools").get(0).path("function").path("parameters").path("type").asText());
        assertFalse(chat.has("thinking") || chat.has("context_management") || chat.has("output_config") || chat.has("metadata"),
                "Anthropic-only fields are not sent to chat upstreams: " + chat);
        assertFalse(chat.toString().contains("cache_control"), "cache_control is accepted and ignored");
    }

    @Test
    void aSystemMessageBeforeTheConversationJoinsTheSystemPrompt() {
        JsonNode messages = chat("{'model':'m','max_tokens':5,'system':'A','messages':[{'role':'system','content':[{'type':'text','text':'B'}]},{'role':'user','content':'u'}]}")
                .path("messages");
        assertEquals(2, messages.size());
        assertEquals("A\n\nB", messages.get(0).path("content").asText());
    }

    @Test
    void samplingLimitsAndStopsAreMapped() {
        MessagesTranslation t = translation("{'model':'m','max_tokens':100,'temperature':0.5,'top_p':0.9,'top_k':40,"
                + "'stop_sequences':['END','STOP'],'messages':[{'role':'user','content':'x'}]}");
        JsonNode chat = t.chatRequest();
        assertEquals(100, chat.path("max_tokens").asInt());
        assertEquals(0.5, chat.path("temperature").asDouble());
        assertEquals(0.9, chat.path("top_p").asDouble());
        assertEquals(40, chat.path("top_k").asInt());
        assertEquals("[\"END\",\"STOP\"]", chat.path("stop").toString());
        assertEquals(java.util.List.of("END", "STOP"), t.stopSequences());
        assertFalse(chat.has("stream"));
    }

    @Test
    void outputConfigFormatBecomesAJsonSchemaResponseFormat() {
        JsonNode chat = chat("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],"
                + "'output_config':{'format':{'type':'json_schema','schema':{'type':'object'}}}}");
        assertEquals("json_schema", chat.path("response_format").path("type").asText());
        assertEquals("object", chat.path("response_format").path("json_schema").path("schema").path("type").asText());
    }

    @Test
    void imagesBecomeImageUrlParts() {
        JsonNode content = chat("""
                {'model':'m','max_tokens':5,'messages':[{'role':'user','content':[
                  {'type':'text','text':'what is this?'},
                  {'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBORw0KGgo='}},
                  {'type':'image','source':{'type':'url','url':'https://example.com/cat.jpg'}}]}]}
                """).path("messages").get(0).path("content");
        assertEquals(3, content.size());
        assertEquals("text", content.get(0).path("type").asText());
        assertEquals("data:image/png;base64,iVBORw0KGgo=", content.get(1).path("image_url").path("url").asText());
        assertEquals("https://example.com/cat.jpg", content.get(2).path("image_url").path("url").asText());
    }

    @Test
    void plainTextDocumentsAndSearchResultsBecomeText() {
        JsonNode content = chat("""
                {'model':'m','max_tokens':5,'messages':[{'role':'user','content':[
                  {'type':'document','title':'Notes','source':{'type':'text','media_type':'text/plain','data':'line one'}},
                  {'type':'document','source':{'type':'content','content':[{'type':'text','text':'chunk'}]}},
                  {'type':'search_result','title':'T','source':'https://s','content':[{'type':'text','text':'found'}]},
                  {'type':'text','text':'summarise'}]}]}
                """).path("messages").get(0).path("content");
        assertEquals("Notes\n\nline one\n\nchunk\n\nT\nhttps://s\nfound\n\nsummarise", content.asText());
    }

    @Test
    void pdfAndFileDocumentsAreRefusedWithAClear400() {
        InvalidMessagesRequest e = refused("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'document','source':{'type':'base64','media_type':'application/pdf','data':'JVBER'}}]}]}");
        assertEquals("messages.0.content.0.source.type", e.error().param());
        assertTrue(e.getMessage().contains("not supported by chat-completions targets"), e.getMessage());
        assertEquals(400, e.error().status());
    }

    @Test
    void toolUseAndToolResultRoundTripToToolCallsAndToolMessages() {
        JsonNode messages = chat("""
                {'model':'m','max_tokens':5,'tools':[{'name':'Bash','input_schema':{'type':'object'}}],'messages':[
                  {'role':'user','content':'list files'},
                  {'role':'assistant','content':[{'type':'thinking','thinking':'use ls','signature':'sig'},
                                                 {'type':'text','text':'Running ls.'},
                                                 {'type':'tool_use','id':'toolu_1','name':'Bash','input':{'command':'ls'}},
                                                 {'type':'tool_use','id':'toolu_2','name':'Bash','input':{'command':'pwd'}}]},
                  {'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':[{'type':'text','text':'a.txt'},{'type':'text','text':'b.txt'}]},
                                            {'type':'tool_result','tool_use_id':'toolu_2','is_error':true,'content':'permission denied'},
                                            {'type':'text','text':'and now?'}]}]}
                """).path("messages");
        assertEquals(5, messages.size(), messages.toString());
        JsonNode assistant = messages.get(1);
        assertEquals("Running ls.", assistant.path("content").asText());
        assertEquals("use ls", assistant.path("reasoning_content").asText());
        assertEquals(2, assistant.path("tool_calls").size());
        assertEquals("toolu_1", assistant.path("tool_calls").get(0).path("id").asText());
        assertEquals("Bash", assistant.path("tool_calls").get(0).path("function").path("name").asText());
        assertEquals("{\"command\":\"ls\"}", assistant.path("tool_calls").get(0).path("function").path("arguments").asText());
        assertEquals("tool", messages.get(2).path("role").asText());
        assertEquals("toolu_1", messages.get(2).path("tool_call_id").asText());
        assertEquals("a.txt\nb.txt", messages.get(2).path("content").asText());
        assertEquals("toolu_2", messages.get(3).path("tool_call_id").asText());
        assertEquals("Error: permission denied", messages.get(3).path("content").asText(), "is_error reaches the model as text");
        assertEquals("user", messages.get(4).path("role").asText(), "text after the tool results follows them");
        assertEquals("and now?", messages.get(4).path("content").asText());
    }

    @Test
    void anAssistantTurnWithOnlyToolUseHasNullContent() {
        JsonNode assistant = chat("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'},"
                + "{'role':'assistant','content':[{'type':'tool_use','id':'t','name':'f','input':{}}]},"
                + "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t'}]}]}").path("messages").get(1);
        assertTrue(assistant.get("content").isNull());
        assertEquals("{}", assistant.path("tool_calls").get(0).path("function").path("arguments").asText());
    }

    @Test
    void toolChoiceMapsToChat() {
        String tools = "'tools':[{'name':'f','input_schema':{'type':'object'}}],'messages':[{'role':'user','content':'x'}]";
        assertEquals("auto", chat("{'model':'m','max_tokens':5," + tools + ",'tool_choice':{'type':'auto'}}").path("tool_choice").asText());
        assertEquals("required", chat("{'model':'m','max_tokens':5," + tools + ",'tool_choice':{'type':'any'}}").path("tool_choice").asText());
        assertEquals("none", chat("{'model':'m','max_tokens':5," + tools + ",'tool_choice':{'type':'none'}}").path("tool_choice").asText());
        JsonNode named = chat("{'model':'m','max_tokens':5," + tools + ",'tool_choice':{'type':'tool','name':'f','disable_parallel_tool_use':true}}");
        assertEquals("f", named.path("tool_choice").path("function").path("name").asText());
        assertFalse(named.path("parallel_tool_calls").asBoolean(true));
        assertEquals("tool_choice.type", refused("{'model':'m','max_tokens':5," + tools + ",'tool_choice':{'type':'sometimes'}}").error().param());
    }

    @Test
    void serverToolsAreDroppedNotOfferedToChatUpstreams() {
        MessagesTranslation t = translation("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'}],"
                + "'tools':[{'type':'web_search_20250305','name':'web_search'},{'name':'f','input_schema':{'type':'object'}}]}");
        assertEquals(1, t.chatRequest().path("tools").size());
        assertEquals("f", t.chatRequest().path("tools").get(0).path("function").path("name").asText());
        assertTrue(t.notes().stream().anyMatch(n -> n.contains("web_search_20250305")), t.notes().toString());
    }

    /** Every block type Anthropic defines that a chat upstream cannot take is refused with a 400 naming the block. */
    @ParameterizedTest
    @ValueSource(strings = {"server_tool_use", "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result",
            "bash_code_execution_tool_result", "text_editor_code_execution_tool_result", "mcp_tool_use", "mcp_tool_result",
            "container_upload", "tool_search_tool_result", "something_new"})
    void untranslatableBlocksAreRefused(String type) {
        InvalidMessagesRequest e = refused("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'" + type + "','id':'x'}]}]}");
        assertEquals(400, e.error().status());
        assertEquals("messages.0.content.0.type", e.error().param());
        assertTrue(e.getMessage().contains("'" + type + "'"), e.getMessage());
    }

    @Test
    void blocksInTheWrongRoleAreRefused() {
        assertEquals("messages.0.content.0.type", refused("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'tool_use','id':'t','name':'f','input':{}}]}]}").error().param());
        assertEquals("messages.1.content.0.type", refused("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'},{'role':'assistant','content':[{'type':'image','source':{'type':'url','url':'u'}}]}]}").error().param());
        assertEquals("messages.0.content.0.content.0.type", refused("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'tool_result','tool_use_id':'t','content':[{'type':'image','source':{'type':'url','url':'u'}}]}]}]}").error().param());
    }

    @Test
    void redactedThinkingIsDropped() {
        JsonNode assistant = chat("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':'x'},"
                + "{'role':'assistant','content':[{'type':'redacted_thinking','data':'opaque'},{'type':'text','text':'hi'}]}]}").path("messages").get(1);
        assertEquals("hi", assistant.path("content").asText());
        assertFalse(assistant.has("reasoning_content"));
    }

    @Test
    void malformedRequestsAreRefusedNamingTheParam() {
        assertEquals("model", refused("{'max_tokens':5,'messages':[{'role':'user','content':'x'}]}").error().param());
        assertEquals("max_tokens", refused("{'model':'m','messages':[{'role':'user','content':'x'}]}").error().param());
        assertEquals("max_tokens", refused("{'model':'m','max_tokens':1180591620717411303429,'messages':[{'role':'user','content':'x'}]}").error().param());
        assertEquals("messages", refused("{'model':'m','max_tokens':5}").error().param());
        assertEquals("messages.0.role", refused("{'model':'m','max_tokens':5,'messages':[{'role':'tool','content':'x'}]}").error().param());
        assertEquals("temperature", refused("{'model':'m','max_tokens':5,'temperature':1.5,'messages':[{'role':'user','content':'x'}]}").error().param());
        assertEquals("system.0.type", refused("{'model':'m','max_tokens':5,'system':[{'type':'image'}],'messages':[{'role':'user','content':'x'}]}").error().param());
        assertEquals("thinking.type", refused("{'model':'m','max_tokens':5,'thinking':{'type':'maybe'},'messages':[{'role':'user','content':'x'}]}").error().param());
        assertEquals("messages.0.content.0.source.type", refused("{'model':'m','max_tokens':5,'messages':[{'role':'user','content':[{'type':'image','source':{'type':'file','file_id':'f'}}]}]}").error().param());
        assertEquals("tools.0.input_schema", refused("{'model':'m','max_tokens':5,'tools':[{'name':'f'}],'messages':[{'role':'user','content':'x'}]}").error().param());
    }
}
