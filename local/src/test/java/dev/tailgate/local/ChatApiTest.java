package dev.tailgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAI surface through real HTTP: shapes of answers and of refusals. */
@Timeout(60)
class ChatApiTest {
    @TempDir
    static Path tmp;
    static Harness h;

    @BeforeAll
    static void start() throws Exception {
        h = Harness.start(tmp, """
                max_request_bytes: 4KiB
                models:
                  chat:
                    capability: chat
                    engine: llama.cpp
                    file: chat.gguf
                    max_queue: 4
                  embed:
                    capability: embeddings
                    engine: onnx
                """, new FakeEngineFactory(), "chat.gguf");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void nonStreamingChatHasTheOpenAiShape() throws Exception {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("chat", "tokens:4", false));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = Json.parse(r.body());
        assertThat(body.get("id").asText()).startsWith("chatcmpl-");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("created").asLong()).isPositive();
        assertThat(body.get("model").asText()).isEqualTo("chat");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").asText()).isEqualTo("t0 t1 t2 t3 ");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(7);
        assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(4);
        assertThat(body.get("usage").get("total_tokens").asInt()).isEqualTo(11);
    }

    @Test
    void streamedTextAndReasoningArriveExactlyWhateverCharactersTheyHold() throws Exception {
        String text = "quote \" backslash \\ slash / newline \n tab \t bell \u0007 del \u007f é 漢字 😀 </script> {\"x\":\"\"}";
        var req = Json.object().put("model", "chat").put("stream", true);
        req.putArray("messages").addObject().put("role", "user").put("content", "echo:" + text);
        HttpResponse<String> r = h.post("/v1/chat/completions", Json.string(req));
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> events = events(r.body());
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        List<JsonNode> deltas = new ArrayList<>();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode c = Json.parse(e.substring("data: ".length()));
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("model").asText()).isEqualTo("chat");
            deltas.add(c.get("choices").get(0).get("delta"));
        }
        // role chunk, reasoning, content, finish
        assertThat(deltas).hasSize(4);
        assertThat(deltas.get(1).get("reasoning_content").asText()).isEqualTo(text);
        assertThat(deltas.get(1).has("content")).isFalse();
        assertThat(deltas.get(2).get("content").asText()).isEqualTo(text);
        assertThat(deltas.get(2).size()).isEqualTo(1);
    }

    @Test
    void streamingChatSendsChunksUsageAndDone() throws Exception {
        String req = """
                {"model":"chat","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"tokens:3"}]}""";
        HttpResponse<String> r = h.post("/v1/chat/completions", req);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<String> events = events(r.body());
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        List<JsonNode> chunks = new ArrayList<>();
        for (String e : events.subList(0, events.size() - 1)) {
            assertThat(e).startsWith("data: ");
            chunks.add(Json.parse(e.substring(6)));
        }
        String id = chunks.getFirst().get("id").asText();
        assertThat(id).startsWith("chatcmpl-");
        for (JsonNode c : chunks) {
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("model").asText()).isEqualTo("chat");
            assertThat(c.get("created").asLong()).isPositive();
        }
        assertThat(chunks.getFirst().get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        for (JsonNode c : chunks) {
            JsonNode choices = c.get("choices");
            if (!choices.isEmpty()) text.append(choices.get(0).get("delta").path("content").asText(""));
        }
        assertThat(text.toString()).isEqualTo("t0 t1 t2 ");
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = chunks.getLast();
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        assertThat(usage.get("usage").get("total_tokens").asInt()).isEqualTo(10);
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunk() throws Exception {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("chat", "tokens:1", true));
        List<String> events = events(r.body());
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        assertThat(events).noneMatch(e -> e.contains("\"usage\""));
    }

    @Test
    void engineBadRequestIs400() throws Exception {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("chat", "bad", true));
        assertError(r, 400, "invalid_request_error", null);
        assertThat(r.body()).contains("longer than the context");
    }

    @Test
    void unknownModelIs404() throws Exception {
        assertError(h.post("/v1/chat/completions", Harness.chat("nope", "hi", false)), 404, "invalid_request_error", "model_not_found");
        assertError(h.post("/v1/embeddings", "{\"model\":\"nope\",\"input\":\"x\"}"), 404, "invalid_request_error", "model_not_found");
    }

    @Test
    void wrongCapabilityIs400() throws Exception {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("embed", "hi", false));
        assertError(r, 400, "invalid_request_error", null);
        assertThat(Json.parse(r.body()).get("error").get("param").asText()).isEqualTo("model");
        assertError(h.post("/v1/embeddings", "{\"model\":\"chat\",\"input\":\"x\"}"), 400, "invalid_request_error", null);
    }

    @Test
    void malformedRequestsAre400() throws Exception {
        assertError(h.post("/v1/chat/completions", "{not json"), 400, "invalid_request_error", null);
        assertError(h.post("/v1/chat/completions", "[1,2]"), 400, "invalid_request_error", null);
        assertError(h.post("/v1/chat/completions", "{\"model\":\"chat\"}"), 400, "invalid_request_error", null);
        assertError(h.post("/v1/chat/completions", "{\"model\":42,\"messages\":[]}"), 400, "invalid_request_error", null);
        assertError(h.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":\"hi\"}"), 400, "invalid_request_error", null);
        assertError(h.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                400, "invalid_request_error", null);
        assertError(h.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                400, "invalid_request_error", null);
        assertError(h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[15339,100256]}"), 400, "invalid_request_error", null);
        assertError(h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[[15339],[-1]]}"), 400, "invalid_request_error", null);
        assertError(h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[[15339],[]]}"), 400, "invalid_request_error", null);
        assertError(h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[[15339, 1.5]]}"), 400, "invalid_request_error", null);
        assertError(h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\",\"encoding_format\":\"hex\"}"),
                400, "invalid_request_error", null);
    }

    /** LangChain's OpenAIEmbeddings sends tiktoken cl100k_base ids ("hello world" = 15339, 1917) instead of text. */
    @Test
    void cl100kTokenArraysEmbedLikeTheTextTheyEncode() throws Exception {
        JsonNode text = Json.parse(h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[\"hello world\",\"cat\"]}").body());
        HttpResponse<String> many = h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[[15339,1917],[4719]]}");
        assertThat(many.statusCode()).as(many.body()).isEqualTo(200);
        assertThat(Json.parse(many.body()).get("data").get(0).get("embedding")).isEqualTo(text.get("data").get(0).get("embedding"));
        assertThat(Json.parse(many.body()).get("data").get(1).get("embedding")).isEqualTo(text.get("data").get(1).get("embedding"));
        HttpResponse<String> one = h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[15339,1917]}");
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(Json.parse(one.body()).get("data")).hasSize(1);
        assertThat(Json.parse(one.body()).get("data").get(0).get("embedding")).isEqualTo(text.get("data").get(0).get("embedding"));

        HttpResponse<String> unknown = h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[[15339],[4719,100256]]}");
        assertError(unknown, 400, "invalid_request_error", null);
        assertThat(Json.parse(unknown.body()).get("error").get("message").asText())
                .isEqualTo("Invalid 'input[1][1]': 100256 is not a cl100k_base token id.");
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String big = Harness.chat("chat", "x".repeat(10_000), false);
        assertError(h.post("/v1/chat/completions", big), 413, "invalid_request_error", "request_too_large");
    }

    @Test
    void unknownPathAndWrongMethodAreErrors() throws Exception {
        assertError(h.get("/v1/nothing"), 404, "invalid_request_error", "not_found");
        assertError(h.get("/v1/chat/completions"), 405, "invalid_request_error", "method_not_allowed");
    }

    @Test
    void audioEndpointsNameAnUnknownModelAndWantMultipartForTranscription() throws Exception {
        HttpResponse<String> speech = h.post("/v1/audio/speech", "{\"model\":\"tts\",\"input\":\"hi\",\"voice\":\"alloy\"}");
        assertError(speech, 404, "invalid_request_error", "model_not_found");
        HttpResponse<String> r = h.post("/v1/audio/transcriptions", "{}");
        assertError(r, 400, "invalid_request_error", null);
        assertThat(r.body()).contains("multipart/form-data");
    }

    @Test
    void modelsListsEveryConfiguredModel() throws Exception {
        HttpResponse<String> r = h.get("/v1/models");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = Json.parse(r.body());
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("data")).extracting(n -> n.get("id").asText()).containsExactly("chat", "embed");
        assertThat(body.get("data").get(0).get("object").asText()).isEqualTo("model");
        assertThat(body.get("data").get(0).get("owned_by").asText()).isEqualTo("qwen-local");
    }

    @Test
    void embeddingsAsFloatsForAListInput() throws Exception {
        HttpResponse<String> r = h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[\"ab\",\"cde\"]}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = Json.parse(r.body());
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("model").asText()).isEqualTo("embed");
        assertThat(body.get("data")).hasSize(2);
        assertThat(body.get("data").get(1).get("index").asInt()).isEqualTo(1);
        assertThat(body.get("data").get(1).get("object").asText()).isEqualTo("embedding");
        JsonNode v = body.get("data").get(1).get("embedding");
        assertThat(v).hasSize(4);
        assertThat(v.get(0).floatValue()).isEqualTo(3f);
        assertThat(v.get(3).floatValue()).isEqualTo(-1.25f);
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(5);
        assertThat(body.get("usage").get("total_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void embeddingsAsLittleEndianBase64ForAStringInput() throws Exception {
        HttpResponse<String> r = h.post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"abcd\",\"encoding_format\":\"base64\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        String b64 = Json.parse(r.body()).get("data").get(0).get("embedding").asText();
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(buf.remaining()).isEqualTo(16);
        assertThat(buf.getFloat()).isEqualTo(4f);
        buf.getFloat();
        assertThat(buf.getFloat()).isEqualTo(0.5f);
        assertThat(buf.getFloat()).isEqualTo(-1.25f);
    }

    static List<String> events(String sse) {
        List<String> out = new ArrayList<>();
        for (String e : sse.split("\n\n")) if (!e.isBlank()) out.add(e.strip());
        return out;
    }

    static void assertError(HttpResponse<String> r, int status, String type, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode err = Json.parse(r.body()).get("error");
        assertThat(err).as(r.body()).isNotNull();
        assertThat(err.get("message").asText()).isNotBlank();
        assertThat(err.get("type").asText()).isEqualTo(type);
        if (code != null) assertThat(err.get("code").asText()).isEqualTo(code);
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
