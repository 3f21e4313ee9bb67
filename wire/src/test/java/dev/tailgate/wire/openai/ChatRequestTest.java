package dev.tailgate.wire.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.wire.Json;
import dev.tailgate.wire.WireException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatRequestTest {

    @Test
    void readsTheFieldsTheGatewayNeedsAndKeepsTheRest() {
        ChatRequest r = ChatRequest.parse(Json.parse("""
                {"model":"qwen","stream":true,"stream_options":{"include_usage":true},"temperature":0.2,"x_vendor":{"k":1},
                 "messages":[{"role":"system","content":"be brief"},
                             {"role":"user","content":[{"type":"text","text":"hi "},{"type":"image_url","image_url":{"url":"data:x"}},{"type":"text","text":"there"}]},
                             {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
                             {"role":"tool","tool_call_id":"c1","content":"42"}],
                 "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
                 "response_format":{"type":"json_object"}}"""));
        assertThat(r.model()).isEqualTo("qwen");
        assertThat(r.stream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
        assertThat(r.messages()).hasSize(4);
        assertThat(r.messages().get(1).text()).isEqualTo("hi there");
        assertThat(r.messages().get(1).parts()).extracting(ContentPart::type).containsExactly("text", "image_url", "text");
        assertThat(r.messages().get(2).toolCalls()).containsExactly(new ToolCall("c1", "function", "f", "{}"));
        assertThat(r.messages().get(3).toolCallId()).isEqualTo("c1");
        assertThat(r.tools().getFirst().name()).isEqualTo("f");
        assertThat(r.responseFormat().type()).isEqualTo("json_object");
        assertThat(r.raw().get("x_vendor").get("k").asInt()).isEqualTo(1);
        assertThat(r.raw().get("temperature").decimalValue()).isEqualByComparingTo("0.2");
    }

    @Test
    void wrongTypesNameTheParameter() {
        assertThatThrownBy(() -> ChatRequest.parse(Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")))
                .isInstanceOf(WireException.class).extracting(e -> ((WireException) e).param()).isEqualTo("model");
        assertThatThrownBy(() -> ChatRequest.parse(Json.parse("{\"model\":1,\"messages\":[]}")))
                .extracting(e -> ((WireException) e).param()).isEqualTo("model");
        assertThatThrownBy(() -> ChatRequest.parse(Json.parse("{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")))
                .extracting(e -> ((WireException) e).param()).isEqualTo("stream");
        assertThatThrownBy(() -> ChatRequest.parse(Json.parse("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}")))
                .extracting(e -> ((WireException) e).param()).isEqualTo("messages[0].content");
        assertThatThrownBy(() -> ChatRequest.parse(Json.parse("[1,2]"))).isInstanceOf(WireException.class);
    }

    @Test
    void embeddingsValidateInputAndEncoding() {
        EmbeddingsRequest e = EmbeddingsRequest.parse(Json.parse("{\"model\":\"e\",\"input\":[\"a\",\"b\"]}"));
        assertThat(e.encodingFormat()).isEqualTo("float");
        assertThatThrownBy(() -> EmbeddingsRequest.parse(Json.parse("{\"model\":\"e\",\"input\":3}")))
                .extracting(x -> ((WireException) x).param()).isEqualTo("input");
        assertThatThrownBy(() -> EmbeddingsRequest.parse(Json.parse("{\"model\":\"e\",\"input\":\"a\",\"encoding_format\":\"int8\"}")))
                .extracting(x -> ((WireException) x).param()).isEqualTo("encoding_format");
    }

    @Test
    void modelListHasTheOpenAiShape() {
        var json = Json.parse(Json.bytes(ModelList.of(java.util.List.of(ModelInfo.of("qwen", 1700000000L, "tailgate")))));
        assertThat(json.get("object").asText()).isEqualTo("list");
        assertThat(json.at("/data/0/owned_by").asText()).isEqualTo("tailgate");
        assertThat(json.at("/data/0/object").asText()).isEqualTo("model");
        assertThat(json.at("/data/0/created").asLong()).isEqualTo(1700000000L);
    }
}
