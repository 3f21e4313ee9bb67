package dev.tailgate.gateway.messages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.responses.TestGateway;
import dev.tailgate.testing.responses.ScriptedChatUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream.Reply;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /v1/messages} over HTTP on 127.0.0.1, bridged to a scripted chat upstream: shapes, auth, errors, streams. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessagesEndpointTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String HELLO = "{'model':'qwen','max_tokens':64,'messages':[{'role':'user','content':'hi'}]}";

    static HttpRequest.Builder request(TestGateway gateway, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("anthropic-version", "2023-06-01");
    }

    static HttpResponse<String> post(TestGateway gateway, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = request(gateway, path).header("x-api-key", TestGateway.KEY);
        for (int i = 0; i < headers.length; i += 2) b.setHeader(headers[i], headers[i + 1]);
        return HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(body.replace('\'', '"'))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The events of an SSE body, checking every frame is exactly {@code event: T\ndata: {...}} with a matching type. */
    static List<JsonNode> events(String sse) {
        List<JsonNode> out = new ArrayList<>();
        for (String frame : sse.split("\n\n")) {
            if (frame.isBlank()) continue;
            String[] lines = frame.split("\n");
            assertEquals(2, lines.length, "frame: " + frame);
            JsonNode data = Json.parse(lines[1].substring("data: ".length()));
            assertEquals(lines[0].substring("event: ".length()), data.path("type").asText(), frame);
            out.add(data);
        }
        return out;
    }

    static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }

    static void assertAnthropicError(HttpResponse<String> response, int status, String type) {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = Json.parse(response.body());
        assertEquals("error", body.path("type").asText(), response.body());
        assertEquals(type, body.path("error").path("type").asText(), response.body());
        assertFalse(body.path("error").path("message").asText().isEmpty());
    }

    @Test
    void claudeCodesBetaQueryHeadersAndApiKeyAreAccepted() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Text("Hi there"));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            HttpResponse<String> response = post(gateway, "/v1/messages?beta=true", HELLO,
                    "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14");
            assertEquals(200, response.statusCode(), response.body());
            JsonNode message = Json.parse(response.body());
            assertEquals("message", message.path("type").asText());
            assertEquals("Hi there", message.path("content").get(0).path("text").asText());
            assertEquals("qwen", message.path("model").asText());
            assertEquals(10, message.path("usage").path("input_tokens").asInt());

            // Bearer works as well (ANTHROPIC_AUTH_TOKEN)
            HttpResponse<String> bearer = HTTP.send(request(gateway, "/v1/messages").header("authorization", "Bearer " + TestGateway.KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(HELLO.replace('\'', '"'))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, bearer.statusCode(), bearer.body());
            assertEquals("scripted-model", upstream.requests().getFirst().path("model").asText());
        }
    }

    @Test
    void aStreamIsServedAsMessagesEvents() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Text("Streaming works fine."));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            HttpResponse<String> response = post(gateway, "/v1/messages", HELLO.replace("'max_tokens'", "'stream':true,'max_tokens'"));
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            List<JsonNode> events = events(response.body());
            List<String> types = types(events);
            assertEquals(List.of("message_start", "ping", "content_block_start"), types.subList(0, 3));
            assertEquals(List.of("content_block_stop", "message_delta", "message_stop"), types.subList(types.size() - 3, types.size()));
            StringBuilder text = new StringBuilder();
            for (JsonNode e : events) if (e.path("delta").path("type").asText().equals("text_delta")) text.append(e.path("delta").path("text").asText());
            assertEquals("Streaming works fine.", text.toString());
            assertEquals(5, events.get(types.size() - 2).path("usage").path("output_tokens").asInt());
            assertTrue(upstream.requests().getFirst().path("stream_options").path("include_usage").asBoolean());
        }
    }

    @Test
    void aStreamThatBreaksMidwayEndsWithAnErrorEventNeverAMessageStop() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.CutAfter("Half an ans"));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            HttpResponse<String> response = post(gateway, "/v1/messages", HELLO.replace("'max_tokens'", "'stream':true,'max_tokens'"));
            assertEquals(200, response.statusCode());
            List<String> types = types(events(response.body()));
            assertEquals("error", types.getLast(), types.toString());
            assertFalse(types.contains("message_stop"), types.toString());
            assertFalse(types.contains("content_block_stop"), "the cut block is never completed: " + types);
        }
    }

    @Test
    void refusalsAreInAnthropicsShapeWithTheirStatuses() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat ->
                chat.path("model").asText().equals("busy-model") ? new Reply.HttpError(429, "slow down")
                        : chat.path("model").asText().equals("broken-model") ? new Reply.HttpError(500, "boom") : new Reply.Text("ok"));
             TestGateway gateway = TestGateway.withProviders("""
                     max_body: 2KB
                     providers:
                       scripted:
                         base_url: %1$s
                         timeout: 30s
                       busy:
                         base_url: %1$s
                       broken:
                         base_url: %1$s
                     models:
                       qwen:
                         targets: [scripted/scripted-model]
                       busy:
                         targets: [busy/busy-model]
                       broken:
                         targets: [broken/broken-model]
                     """.formatted(upstream.baseUrl()))) {
            // 401: no key, wrong key
            HttpResponse<String> noKey = HTTP.send(request(gateway, "/v1/messages").POST(HttpRequest.BodyPublishers.ofString(HELLO.replace('\'', '"'))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertAnthropicError(noKey, 401, "authentication_error");
            assertAnthropicError(post(gateway, "/v1/messages", HELLO, "x-api-key", "wrong"), 401, "authentication_error");
            // 404: unknown model (Claude Code shows "There's an issue with the selected model"), unknown path
            assertAnthropicError(post(gateway, "/v1/messages", HELLO.replace("qwen", "nope")), 404, "not_found_error");
            assertAnthropicError(post(gateway, "/v1/messages/batches", HELLO), 404, "not_found_error");
            // 400: a block the chat target cannot take, naming it
            HttpResponse<String> bad = post(gateway, "/v1/messages", "{'model':'qwen','max_tokens':5,'messages':[{'role':'user','content':[{'type':'server_tool_use','id':'x'}]}]}");
            assertAnthropicError(bad, 400, "invalid_request_error");
            assertTrue(bad.body().contains("messages.0.content.0"), bad.body());
            // 413: over max_body
            assertAnthropicError(post(gateway, "/v1/messages", HELLO.replace("hi", "x".repeat(4000))), 413, "request_too_large");
            // 429 from the upstream, with retry-after
            HttpResponse<String> busy = post(gateway, "/v1/messages", HELLO.replace("qwen", "busy"));
            assertAnthropicError(busy, 429, "rate_limit_error");
            assertTrue(busy.headers().firstValue("retry-after").isPresent(), busy.headers().toString());
            // an upstream failure is Anthropic's 500 api_error
            assertAnthropicError(post(gateway, "/v1/messages", HELLO.replace("qwen", "broken")), 500, "api_error");
            // 529: a private request with no private route (the gateway's 503), with retry-after; nothing sent upstream
            int before = upstream.requests().size();
            HttpResponse<String> overloaded = post(gateway, "/v1/messages", HELLO, "X-Tailgate-Private", "true");
            assertAnthropicError(overloaded, 529, "overloaded_error");
            assertTrue(overloaded.headers().firstValue("retry-after").isPresent());
            assertEquals(before, upstream.requests().size());
            // chat completions keep OpenAI's shape on the same gateway
            HttpResponse<String> chat = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/chat/completions"))
                    .header("content-type", "application/json").header("authorization", "Bearer wrong")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, chat.statusCode());
            assertEquals("invalid_api_key", Json.parse(chat.body()).path("error").path("code").asText());
        }
    }

    @Test
    void countTokensIsTheRoutingEstimate() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Text("unused"));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            // 4 + 8 + 8 characters: system, a text block, a tool result; + 47: the tools' JSON text → 67 / 4, rounded up
            HttpResponse<String> count = post(gateway, "/v1/messages/count_tokens?beta=true", """
                    {'model':'qwen','system':[{'type':'text','text':'abcd'}],'messages':[
                      {'role':'user','content':[{'type':'text','text':'efghijkl'}]},
                      {'role':'assistant','content':[{'type':'tool_use','id':'t','name':'f','input':{}}]},
                      {'role':'user','content':[{'type':'tool_result','tool_use_id':'t','content':'mnopqrst'}]}],
                     'tools':[{'name':'f','input_schema':{'type':'object'}}]}
                    """);
            assertEquals(200, count.statusCode(), count.body());
            assertEquals(17, Json.parse(count.body()).path("input_tokens").asInt());
            assertEquals(0, upstream.requests().size(), "counting asks no upstream");
            assertAnthropicError(post(gateway, "/v1/messages/count_tokens", "{'model':'nope','messages':[]}"), 404, "not_found_error");
            assertAnthropicError(post(gateway, "/v1/messages/count_tokens", "{'model':'qwen','messages':[{'role':'user','content':[{'type':'mcp_tool_use'}]}]}"),
                    400, "invalid_request_error");
        }
    }

    @Test
    void modelsAreListedInAnthropicsShapeWhenAskedWithAnthropicVersion() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(chat -> new Reply.Text("unused"));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            HttpResponse<String> anthropic = HTTP.send(request(gateway, "/v1/models").header("x-api-key", TestGateway.KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, anthropic.statusCode(), anthropic.body());
            JsonNode list = Json.parse(anthropic.body());
            assertEquals("model", list.path("data").get(0).path("type").asText());
            assertEquals("qwen", list.path("data").get(0).path("id").asText());
            assertEquals("qwen", list.path("first_id").asText());
            assertFalse(list.path("has_more").asBoolean(true));
            assertTrue(list.path("data").get(0).path("created_at").asText().endsWith("Z"));

            HttpResponse<String> openAi = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/models"))
                    .header("authorization", "Bearer " + TestGateway.KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("list", Json.parse(openAi.body()).path("object").asText(), openAi.body());
        }
    }
}
