package dev.tailgate.gateway.messages;

import static dev.tailgate.gateway.messages.MessagesEndpointTest.events;
import static dev.tailgate.gateway.messages.MessagesEndpointTest.post;
import static dev.tailgate.gateway.messages.MessagesEndpointTest.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.responses.TestGateway;
import dev.tailgate.testing.messages.NativeMessagesUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream.Reply;
import dev.tailgate.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /v1/messages} through the gateway's routing: native passthrough, fallback, privacy, ledger and audit. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessagesRoutingTest {

    @Test
    void aProviderWithMessagesApiGetsTheRequestUnchangedExceptTheModel() throws Exception {
        try (NativeMessagesUpstream upstream = NativeMessagesUpstream.answering("native answer");
             TestGateway gateway = TestGateway.withProviders("""
                     providers:
                       anthropic:
                         base_url: %s
                         api_key: env:TG_TEST_KEY
                         messages_api: true
                     models:
                       claude:
                         targets: [anthropic/claude-native]
                     """.formatted(upstream.baseUrl()))) {
            // Blocks the bridge would refuse are the native provider's business: they go through.
            String body = "{'model':'claude','max_tokens':9,'stream':true,'messages':[{'role':'user','content':[{'type':'document','source':{'type':'base64','media_type':'application/pdf','data':'JVBER'}}]}],'tools':[{'type':'web_search_20250305','name':'web_search'}]}";
            HttpResponse<String> response = post(gateway, "/v1/messages?beta=true", body, "anthropic-beta", "context-management-2025-06-27");
            assertEquals(200, response.statusCode(), response.body());
            List<String> types = types(events(response.body()));
            assertEquals("message_stop", types.getLast(), types.toString());
            assertTrue(response.body().contains("native answer"));
            assertFalse(response.body().contains("claude-native"), "the upstream model name does not leak: " + response.body());

            NativeMessagesUpstream.Received sent = upstream.requests().getFirst();
            ObjectNode original = (ObjectNode) Json.parse(body.replace('\'', '"'));
            original.put("model", "claude-native");
            assertEquals(original, sent.json());
            assertEquals("2023-06-01", sent.headers().get("anthropic-version"));
            assertEquals("context-management-2025-06-27", sent.headers().get("anthropic-beta"));
            assertEquals(TestGateway.KEY, sent.headers().get("x-api-key"), "the provider's key, as Anthropic expects it");

            HttpResponse<String> nonStream = post(gateway, "/v1/messages", "{'model':'claude','max_tokens':9,'messages':[{'role':'user','content':'hi'}]}");
            assertEquals(200, nonStream.statusCode(), nonStream.body());
            assertEquals("claude", Json.parse(nonStream.body()).path("model").asText());
            assertEquals("native answer", Json.parse(nonStream.body()).path("content").get(0).path("text").asText());
        }
    }

    @Test
    void aNativeStreamCutBeforeMessageStopEndsWithAnErrorEvent() throws Exception {
        try (NativeMessagesUpstream upstream = NativeMessagesUpstream.cuttingStreams("partial");
             TestGateway gateway = TestGateway.withProviders("""
                     providers:
                       anthropic:
                         base_url: %s
                         messages_api: true
                     models:
                       claude:
                         targets: [anthropic/claude-native]
                     """.formatted(upstream.baseUrl()))) {
            HttpResponse<String> response = post(gateway, "/v1/messages", "{'model':'claude','max_tokens':9,'stream':true,'messages':[{'role':'user','content':'hi'}]}");
            List<String> types = types(events(response.body()));
            assertEquals("error", types.getLast(), types.toString());
            assertFalse(types.contains("message_stop"));
        }
    }

    @Test
    void aFailingFirstTargetFallsBackBeforeTheFirstByte() throws Exception {
        try (ScriptedChatUpstream broken = ScriptedChatUpstream.start(c -> new Reply.HttpError(503, "overloaded"));
             ScriptedChatUpstream healthy = ScriptedChatUpstream.start(c -> new Reply.Text("from the second target"));
             TestGateway gateway = TestGateway.withProviders("""
                     providers:
                       first:
                         base_url: %s
                       second:
                         base_url: %s
                     models:
                       qwen:
                         targets: [first/m1, second/m2]
                         fallback: true
                     """.formatted(broken.baseUrl(), healthy.baseUrl()))) {
            HttpResponse<String> response = post(gateway, "/v1/messages", "{'model':'qwen','max_tokens':9,'stream':true,'messages':[{'role':'user','content':'hi'}]}");
            assertEquals(200, response.statusCode(), response.body());
            List<JsonNode> events = events(response.body());
            List<String> types = types(events);
            assertEquals("message_stop", types.getLast());
            assertFalse(types.contains("error"));
            StringBuilder text = new StringBuilder();
            for (JsonNode e : events) text.append(e.path("delta").path("text").asText(""));
            assertEquals("from the second target", text.toString());
            assertEquals(1, broken.requests().size());
            assertEquals("m2", healthy.requests().getFirst().path("model").asText());
        }
    }

    @Test
    void usageRowsAndAuditLinesAreThoseOfTheSameChatRequest() throws Exception {
        try (ScriptedChatUpstream upstream = ScriptedChatUpstream.start(c -> new Reply.Text("counted"));
             TestGateway gateway = TestGateway.chatUpstream(upstream.baseUrl())) {
            String[] ids = {"chat-1", "messages-1", "messages-stream-1"};
            assertEquals(200, java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.baseUrl() + "/chat/completions"))
                    .header("content-type", "application/json").header("authorization", "Bearer " + TestGateway.KEY).header("X-Request-Id", ids[0])
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, post(gateway, "/v1/messages", "{'model':'qwen','max_tokens':9,'messages':[{'role':'user','content':'hi'}]}", "X-Request-Id", ids[1]).statusCode());
            assertEquals(200, post(gateway, "/v1/messages", "{'model':'qwen','max_tokens':9,'stream':true,'messages':[{'role':'user','content':'hi'}]}", "X-Request-Id", ids[2]).statusCode());

            List<String> rows = new ArrayList<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.dir().resolve("usage.db"));
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT request_id, client, model, provider, upstream_model, prompt_tokens, completion_tokens, status FROM usage ORDER BY id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) + " " + rs.getString(5)
                            + " " + rs.getLong(6) + "/" + rs.getLong(7) + " " + rs.getInt(8));
                }
            }
            assertEquals(List.of("chat-1 tester qwen scripted scripted-model 10/5 200", "messages-1 tester qwen scripted scripted-model 10/5 200",
                    "messages-stream-1 tester qwen scripted scripted-model 10/5 200"), rows);

            Path audit = gateway.dir().resolve("audit.jsonl");
            List<JsonNode> lines = Files.readAllLines(audit).stream().map(Json::parse).toList();
            for (String id : ids) {
                JsonNode line = lines.stream().filter(l -> l.path("requestId").asText(l.path("request_id").asText()).equals(id)).findFirst()
                        .orElseThrow(() -> new AssertionError("no audit line for " + id + ": " + lines));
                assertEquals("scripted/scripted-model", line.path("chosen").asText(), line.toString());
            }
        }
    }
}
