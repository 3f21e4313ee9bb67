package dev.tailgate.gateway.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Responses endpoint over HTTP on 127.0.0.1, with a scripted chat upstream behind it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponsesEndpointTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ScriptedChatUpstream upstream;
    private TestGateway gateway;

    private void start(Function<JsonNode, Reply> script) throws Exception {
        upstream = ScriptedChatUpstream.start(script);
        gateway = TestGateway.chatUpstream(upstream.baseUrl());
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        if (upstream != null) upstream.close();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/responses"))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + TestGateway.KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body.replace('\'', '"'))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The events of an SSE body, checking every frame is exactly {@code event: T\ndata: {...}} with a matching type. */
    private static List<JsonNode> events(String sse) {
        List<JsonNode> out = new ArrayList<>();
        for (String frame : sse.split("\n\n")) {
            if (frame.isBlank()) continue;
            String[] lines = frame.split("\n");
            assertEquals(2, lines.length, "frame: " + frame);
            assertTrue(lines[0].startsWith("event: "), frame);
            assertTrue(lines[1].startsWith("data: "), frame);
            JsonNode data = Json.parse(lines[1].substring(6));
            assertEquals(lines[0].substring(7), data.path("type").asText(), frame);
            out.add(data);
        }
        return out;
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }

    @Test
    void nonStreamedTextAnswer() throws Exception {
        start(chat -> new Reply.Text("Hello from upstream"));
        HttpResponse<String> response = post("{'model':'qwen','input':'hi','instructions':'Be kind.'}");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode body = Json.parse(response.body());
        assertEquals("response", body.path("object").asText());
        assertEquals("completed", body.path("status").asText());
        assertTrue(body.path("id").asText().startsWith("resp_"));
        assertEquals("Hello from upstream", body.path("output").get(0).path("content").get(0).path("text").asText());
        assertEquals(15, body.path("usage").path("total_tokens").asInt());

        JsonNode chat = upstream.requests().getFirst();
        assertEquals("Be kind.", chat.path("messages").get(0).path("content").asText());
        assertFalse(chat.path("stream").asBoolean(), chat.toString());
        assertEquals("scripted-model", chat.path("model").asText(), "the gateway picked the target");
        assertEquals("qwen", body.path("model").asText(), "the client sees its alias");
    }

    @Test
    void streamedToolCallArrivesAsCompleteEventSequence() throws Exception {
        start(chat -> new Reply.ToolCall("call_9", "exec_command", "{\"cmd\":\"ls -la /tmp\"}"));
        HttpResponse<String> response = post("""
                {'model':'qwen','stream':true,'input':'list','tools':[{'type':'function','name':'exec_command',
                 'parameters':{'type':'object','properties':{'cmd':{'type':'string'}}}}]}""");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<JsonNode> events = events(response.body());
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed"), types(events));
        JsonNode item = events.get(7).path("item");
        assertEquals("function_call", item.path("type").asText());
        assertEquals("call_9", item.path("call_id").asText());
        assertEquals("{\"cmd\":\"ls -la /tmp\"}", item.path("arguments").asText());
        JsonNode completed = events.getLast().path("response");
        assertEquals(events.getFirst().path("response").path("id").asText(), completed.path("id").asText());
        assertEquals(10, completed.path("usage").path("input_tokens").asInt());
        assertTrue(upstream.requests().getFirst().path("stream_options").path("include_usage").asBoolean());
    }

    @Test
    void upstreamCutMidStreamEndsWithResponseFailed() throws Exception {
        start(chat -> new Reply.CutAfter("This answer will be cut"));
        HttpResponse<String> response = post("{'model':'qwen','stream':true,'input':'story'}");
        assertEquals(200, response.statusCode());
        List<JsonNode> events = events(response.body());
        List<String> types = types(events);
        assertEquals("response.failed", types.getLast(), types.toString());
        assertEquals("error", types.get(types.size() - 2));
        assertFalse(types.contains("response.completed"));
        assertFalse(types.contains("response.output_item.done"), "a cut message is not reported as done");
        assertEquals("failed", events.getLast().path("response").path("status").asText());
        assertEquals("upstream_error", events.getLast().path("response").path("error").path("code").asText());
    }

    @Test
    void upstreamErrorBeforeTheFirstByteIsAPlainHttpError() throws Exception {
        start(chat -> new Reply.HttpError(500, "boom"));
        HttpResponse<String> response = post("{'model':'qwen','stream':true,'input':'x'}");
        assertEquals(502, response.statusCode());
        JsonNode error = Json.parse(response.body()).path("error");
        assertEquals("upstream_error", error.path("code").asText());
        assertEquals("api_error", error.path("type").asText());

        HttpResponse<String> nonStream = post("{'model':'qwen','input':'x'}");
        assertEquals(502, nonStream.statusCode());
    }

    @Test
    void invalidRequestsGetA400NamingTheParamAndNeverReachTheUpstream() throws Exception {
        start(chat -> new Reply.Text("unused"));
        HttpResponse<String> badJson = post("{'model':");
        assertEquals(400, badJson.statusCode());
        assertEquals("invalid_request_error", Json.parse(badJson.body()).path("error").path("type").asText());

        HttpResponse<String> stateful = post("{'model':'qwen','input':'x','previous_response_id':'resp_1'}");
        assertEquals(400, stateful.statusCode());
        assertEquals("previous_response_id", Json.parse(stateful.body()).path("error").path("param").asText());
        assertEquals(0, upstream.requests().size());
    }

    @Test
    void aClientThatGoesAwayMidStreamCancelsTheUpstreamRequest() throws Exception {
        start(chat -> new Reply.Stall("Thinking very slowly"));
        HttpResponse<java.io.InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/responses"))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("authorization", "Bearer " + TestGateway.KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"qwen\",\"stream\":true,\"input\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        try (java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(response.body()))) {
            String line;
            while ((line = reader.readLine()) != null && !line.contains("response.output_text.delta")) {
                // read until the first text delta: the stream is live
            }
            assertTrue(line != null, "a text delta arrived");
        } // closing the body closes the connection
        assertTrue(upstream.awaitStalledStreamClosed(20, TimeUnit.SECONDS), "the gateway closed the upstream stream");
    }

    @Test
    void aWebSocketHandshakeIsRefusedWith426() throws Exception {
        start(chat -> new Reply.Text("unused"));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/responses"))
                .timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + TestGateway.KEY).header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        // java.net.http won't send Upgrade itself; a raw socket does below.
        assertTrue(response.statusCode() >= 400, "a plain GET is not served either: " + response.statusCode());

        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", URI.create(gateway.baseUrl()).getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nAuthorization: Bearer " + TestGateway.KEY + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes());
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
            assertEquals("HTTP/1.1 426 Upgrade Required", statusLine);
        }
    }
}
