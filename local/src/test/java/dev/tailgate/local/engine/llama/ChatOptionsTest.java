package dev.tailgate.local.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import org.junit.jupiter.api.Test;

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

    @Test
    void jsonObjectModeMeansAnObjectSchema() {
        ObjectNode b = body("[{\"role\":\"user\",\"content\":\"x\"}]");
        b.putObject("response_format").put("type", "json_object");
        assertThat(ChatOptions.from(b).jsonSchema()).isEqualTo("{\"type\":\"object\"}");
    }
}
