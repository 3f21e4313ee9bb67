package dev.tailgate.local.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ChatOptionsTest {

    static ObjectNode body(String messagesJson) {
        ObjectNode b = Json.object();
        b.set("messages", Json.parse(messagesJson));
        return b;
    }

    @Test
    void textPartsAreJoinedAndDeveloperBecomesSystem() {
        ChatOptions o = ChatOptions.from(body("""
                [{"role":"developer","content":"be brief"},
                 {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
                 {"role":"assistant","content":null}]"""));
        assertThat(Json.parse(o.messagesJson()).toString()).isEqualTo(
                "{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"ab\"},"
                        + "{\"role\":\"assistant\",\"content\":\"\"}]}");
        assertThat(o.stop()).isEmpty();
        assertThat(o.jsonSchema()).isNull();
    }

    @Test
    void maxCompletionTokensWinsAndSeedsFoldTo32Bits() {
        ObjectNode b = body("[{\"role\":\"user\",\"content\":\"x\"}]");
        b.put("max_tokens", 10).put("max_completion_tokens", 20).put("seed", 1L << 40);
        ChatOptions o = ChatOptions.from(b);
        assertThat(o.maxTokens()).isEqualTo(20);
        assertThat(o.seed()).isEqualTo(256);
        assertThat(ChatOptions.from(b.put("seed", -1)).seed()).isNotEqualTo(-1); // -1 means "random" to llama.cpp
    }

    @Test
    void refusesWhatItCannotServe() {
        assertThatThrownBy(() -> ChatOptions.from(body("[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]")))
                .isInstanceOf(BadChatRequest.class).hasMessageContaining("image_url");
        assertThatThrownBy(() -> ChatOptions.from(body("[{\"role\":\"wizard\",\"content\":\"x\"}]")))
                .isInstanceOf(BadChatRequest.class).hasMessageContaining("wizard");
        ObjectNode tools = body("[{\"role\":\"user\",\"content\":\"x\"}]");
        tools.putArray("tools").addObject().put("type", "function");
        assertThatThrownBy(() -> ChatOptions.from(tools)).isInstanceOf(BadChatRequest.class).hasMessageContaining("tools");
        ObjectNode stop = body("[{\"role\":\"user\",\"content\":\"x\"}]");
        stop.putArray("stop").add(1);
        assertThatThrownBy(() -> ChatOptions.from(stop)).isInstanceOf(BadChatRequest.class).hasMessageContaining("stop");
    }

    static final String WEATHER = """
            {"type":"function","function":{"name":"get_weather","description":"Weather in a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}""";

    static ObjectNode toolBody(String messagesJson) {
        ObjectNode b = body(messagesJson);
        b.putArray("tools").add(Json.parse(WEATHER)).add(Json.parse("{\"type\":\"function\",\"function\":{\"name\":\"now\"}}"));
        return b;
    }

    /** The rendering of Qwen2.5's chat template, written out by hand: tools section, call blocks, grouped results. */
    @Test
    void toolsCallsAndResultsAreRenderedTheQwenWay() {
        ChatOptions o = ChatOptions.from(toolBody("""
                [{"role":"system","content":"be brief"},
                 {"role":"user","content":"weather in Oslo?"},
                 {"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\": \\"Oslo\\"}"}},
                   {"id":"call_2","type":"function","function":{"name":"now","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"sunny"},
                 {"role":"tool","tool_call_id":"call_2","content":"noon"}]"""));
        var m = Json.parse(o.messagesJson()).get("messages");
        assertThat(m).hasSize(4);
        assertThat(m.get(0).get("content").asText()).isEqualTo("""
                be brief

                # Tools

                You may call one or more functions to assist with the user query.

                You are provided with function signatures within <tools></tools> XML tags:
                <tools>
                %s
                {"type":"function","function":{"name":"now"}}
                </tools>

                For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:
                <tool_call>
                {"name": <function-name>, "arguments": <args-json-object>}
                </tool_call>""".formatted(Json.string(Json.parse(WEATHER))));
        assertThat(m.get(2).get("role").asText()).isEqualTo("assistant");
        assertThat(m.get(2).get("content").asText()).isEqualTo("""
                <tool_call>
                {"name": "get_weather", "arguments": {"city":"Oslo"}}
                </tool_call>
                <tool_call>
                {"name": "now", "arguments": {}}
                </tool_call>""");
        assertThat(m.get(3).get("role").asText()).isEqualTo("user");
        assertThat(m.get(3).get("content").asText())
                .isEqualTo("<tool_response>\nsunny\n</tool_response>\n<tool_response>\nnoon\n</tool_response>");
        assertThat(o.toolsOffered()).isTrue();
        assertThat(o.forcedCallSchema()).isNull();
        assertThat(o.parallelToolCalls()).isTrue();
    }

    @Test
    void withoutASystemMessageQwensDefaultOneCarriesTheTools() {
        var m = Json.parse(ChatOptions.from(toolBody("[{\"role\":\"user\",\"content\":\"x\"}]")).messagesJson()).get("messages");
        assertThat(m.get(0).get("content").asText()).startsWith(QwenTools.DEFAULT_SYSTEM + "\n\n# Tools");
    }

    @Test
    void toolChoiceNoneLeavesTheToolsOutRequiredAndNamedForceACallSchema() {
        ObjectNode none = toolBody("[{\"role\":\"user\",\"content\":\"x\"}]").put("tool_choice", "none");
        ChatOptions n = ChatOptions.from(none);
        assertThat(n.messagesJson()).doesNotContain("# Tools");
        assertThat(n.toolsOffered()).isFalse();
        assertThat(n.forcedCallSchema()).isNull();

        ChatOptions required = ChatOptions.from(toolBody("[{\"role\":\"user\",\"content\":\"x\"}]").put("tool_choice", "required"));
        assertThat(Json.parse(required.forcedCallSchema()).get("anyOf")).hasSize(2);

        ObjectNode named = toolBody("[{\"role\":\"user\",\"content\":\"x\"}]").put("parallel_tool_calls", false);
        named.putObject("tool_choice").put("type", "function").putObject("function").put("name", "get_weather");
        ChatOptions nm = ChatOptions.from(named);
        var schema = Json.parse(nm.forcedCallSchema());
        assertThat(schema.get("properties").get("name").get("const").asText()).isEqualTo("get_weather");
        assertThat(schema.get("properties").get("arguments")).isEqualTo(Json.parse(WEATHER).get("function").get("parameters"));
        assertThat(schema.get("additionalProperties").asBoolean()).isFalse();
        assertThat(nm.parallelToolCalls()).isFalse();
    }

    @Test
    void badToolRequestsAreRefused() {
        ObjectNode unknown = toolBody("[{\"role\":\"user\",\"content\":\"x\"}]");
        unknown.putObject("tool_choice").put("type", "function").putObject("function").put("name", "nope");
        assertThatThrownBy(() -> ChatOptions.from(unknown)).isInstanceOf(BadChatRequest.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> ChatOptions.from(body("[{\"role\":\"user\",\"content\":\"x\"}]").put("tool_choice", "required")))
                .isInstanceOf(BadChatRequest.class).hasMessageContaining("no 'tools'");
        assertThatThrownBy(() -> ChatOptions.from(toolBody("[{\"role\":\"user\",\"content\":\"x\"}]").put("tool_choice", "sometimes")))
                .isInstanceOf(BadChatRequest.class).hasMessageContaining("tool_choice");
        ObjectNode badName = body("[{\"role\":\"user\",\"content\":\"x\"}]");
        badName.putArray("tools").add(Json.parse("{\"type\":\"function\",\"function\":{\"name\":\"bad name!\"}}"));
        assertThatThrownBy(() -> ChatOptions.from(badName)).isInstanceOf(BadChatRequest.class).hasMessageContaining("name");
        ObjectNode both = toolBody("[{\"role\":\"user\",\"content\":\"x\"}]").put("tool_choice", "required");
        both.putObject("response_format").put("type", "json_object");
        assertThatThrownBy(() -> ChatOptions.from(both)).isInstanceOf(BadChatRequest.class).hasMessageContaining("response_format");
    }

    @Test
    void jsonObjectModeMeansAnObjectSchema() {
        ObjectNode b = body("[{\"role\":\"user\",\"content\":\"x\"}]");
        b.putObject("response_format").put("type", "json_object");
        assertThat(ChatOptions.from(b).jsonSchema()).isEqualTo("{\"type\":\"object\"}");
    }
}
