package dev.tailgate.gateway.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.responses.NativeResponsesUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream;
import dev.tailgate.testing.responses.ScriptedChatUpstream.Reply;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How /v1/responses uses the gateway's routing: passthrough to native providers, fallback, errors before the first byte. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponsesRoutingTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> post(TestGateway gateway, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/responses"))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("authorization", "Bearer " + TestGateway.KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body.replace('\'', '"'))).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aProviderWithResponsesApiGetsTheRequestUnchangedExceptTheModel() throws Exception {
        try (NativeResponsesUpstream upstream = NativeResponsesUpstream.answering("native answer");
             TestGateway gateway = TestGateway.withProviders("""
                     providers:
                       native:
                         base_url: %s
                         responses_api: true
                     models:
                       coder:
                         targets: [native/gpt-native]
                     """.formatted(upstream.baseUrl()))) {
            // Fields a bridge would refuse or drop are the native provider's business: they go through.
            String body = "{'model':'coder','stream':true,'input':'hi','previous_response_id':'resp_earlier','store':true,'tools':[{'type':'web_search'}]}";
            HttpResponse<String> response = post(gateway, body);
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("event: response.completed"), response.body());
            assertTrue(response.body().contains("native answer"));
            assertFalse(response.body().contains("gpt-native"), "the upstream model name does not leak: " + response.body());
            assertTrue(response.body().contains("\"model\":\"coder\""));

            JsonNode sent = Json.parse(upstream.bodies().getFirst());
            JsonNode original = Json.parse(body.replace('\'', '"'));
            assertEquals("gpt-native", sent.path("model").asText());
            ((com.fasterxml.jackson.databind.node.ObjectNode) original).put("model", "gpt-native");
            assertEquals(original, sent);

            HttpResponse<String> nonStream = post(gateway, "{'model':'coder','input':'hi'}");
            assertEquals(200, nonStream.statusCode());
            assertEquals("coder", Json.parse(nonStream.body()).path("model").asText());
            assertEquals("native answer", Json.parse(nonStream.body()).path("output").get(0).path("content").get(0).path("text").asText());
        }
    }

    @Test
    void aNativeStreamCutBeforeItsTerminalEventEndsWithAnErrorEvent() throws Exception {
        try (NativeResponsesUpstream upstream = NativeResponsesUpstream.cuttingStreams("partial");
             TestGateway gateway = TestGateway.withProviders("""
                     providers:
                       native:
                         base_url: %s
                         responses_api: true
                     models:
                       coder:
                         targets: [native/gpt-native]
                     """.formatted(upstream.baseUrl()))) {
            HttpResponse<String> response = post(gateway, "{'model':'coder','stream':true,'input':'hi'}");
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("response.output_text.delta"), response.body());
            assertTrue(response.body().strip().endsWith("}"), response.body());
            assertTrue(response.body().contains("event: error"), "never a silent end: " + response.body());
            assertFalse(response.body().contains("response.completed"));
        }
    }

    @Test
    void mixedTargetsAreBridgedSoFallbackCanReachAChatOnlyProvider() throws Exception {
        try (NativeResponsesUpstream nativeUpstream = NativeResponsesUpstream.answering("unused");
             ScriptedChatUpstream chat = ScriptedChatUpstream.start(c -> new Reply.Text("bridged answer"));
             TestGateway gateway = TestGateway.withProviders("""
                     providers:
                       native:
                         base_url: %s
                         responses_api: true
                       plain:
                         base_url: %s
                     models:
                       mixed:
                         targets: [plain/plain-model, native/gpt-native]
                     """.formatted(nativeUpstream.baseUrl(), chat.baseUrl()))) {
            HttpResponse<String> response = post(gateway, "{'model':'mixed','input':'hi'}");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("bridged answer", Json.parse(response.body()).path("output").get(0).path("content").get(0).path("text").asText());
            assertEquals(0, nativeUpstream.bodies().size());
            assertEquals(1, chat.requests().size());
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
            HttpResponse<String> response = post(gateway, "{'model':'qwen','stream':true,'input':'hi'}");
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("event: response.completed"), response.body());
            assertTrue(response.body().contains("from the second target"));
            assertFalse(response.body().contains("response.failed"));
            assertEquals(1, broken.requests().size());
            assertEquals("m2", healthy.requests().getFirst().path("model").asText());
        }
    }

    @Test
    void withoutFallbackTheUpstreamFailureIsAPlainHttpError() throws Exception {
        try (ScriptedChatUpstream broken = ScriptedChatUpstream.start(c -> new Reply.HttpError(503, "overloaded"));
             TestGateway gateway = TestGateway.chatUpstream(broken.baseUrl())) {
            HttpResponse<String> response = post(gateway, "{'model':'qwen','stream':true,'input':'hi'}");
            assertTrue(response.statusCode() >= 500, response.statusCode() + " " + response.body());
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
            assertTrue(Json.parse(response.body()).path("error").has("message"));
        }
    }

    @Test
    void anUpstreamThatStallsMidStreamEndsInResponseFailedAfterTheIdleTimeout() throws Exception {
        try (ScriptedChatUpstream stalling = ScriptedChatUpstream.start(c -> new Reply.Stall("Half an ans"));
             TestGateway gateway = TestGateway.withProviders("""
                     providers:
                       slow:
                         base_url: %s
                         timeout: 60s
                         idle_timeout: 300ms
                     models:
                       qwen:
                         targets: [slow/m]
                     """.formatted(stalling.baseUrl()))) {
            HttpResponse<String> response = post(gateway, "{'model':'qwen','stream':true,'input':'hi'}");
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("\"delta\":\"Half an\""), response.body());
            assertTrue(response.body().contains("event: response.failed"), response.body());
            assertFalse(response.body().contains("response.completed"));
            String failed = response.body().substring(response.body().indexOf("event: response.failed"));
            JsonNode event = Json.parse(failed.substring(failed.indexOf("data: ") + 6).strip());
            assertEquals("failed", event.path("response").path("status").asText());
            assertTrue(event.path("response").path("error").path("code").asText().contains("timeout"), event.toString());
        }
    }

    @Test
    void aPrivateRequestNeverReachesAnExternalProvider() throws Exception {
        try (ScriptedChatUpstream external = ScriptedChatUpstream.start(c -> new Reply.Text("must not be asked"));
             TestGateway gateway = TestGateway.chatUpstream(external.baseUrl())) {
            for (String body : new String[] {"{\"model\":\"qwen\",\"input\":\"secret\"}", "{\"model\":\"qwen\",\"stream\":true,\"input\":\"secret\"}"}) {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/responses"))
                        .header("content-type", "application/json").header("authorization", "Bearer " + TestGateway.KEY)
                        .header("X-Tailgate-Private", "true")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, response.statusCode(), response.body());
                assertEquals("no_private_route", Json.parse(response.body()).path("error").path("code").asText());
                // no local target at all: only the operator can change that
                assertTrue(response.headers().firstValue("retry-after").isEmpty());
                assertEquals("false", response.headers().firstValue("x-should-retry").orElse(null));
            }
            assertEquals(0, external.requests().size());
        }
    }

    @Test
    void unknownModelsAndMissingKeysAreRefusedLikeChat() throws Exception {
        try (ScriptedChatUpstream chat = ScriptedChatUpstream.start(c -> new Reply.Text("unused"));
             TestGateway gateway = TestGateway.chatUpstream(chat.baseUrl())) {
            HttpResponse<String> unknown = post(gateway, "{'model':'nope','input':'hi'}");
            assertEquals(404, unknown.statusCode());
            assertEquals("model_not_found", Json.parse(unknown.body()).path("error").path("code").asText());

            HttpResponse<String> noModel = post(gateway, "{'input':'hi'}");
            assertEquals(400, noModel.statusCode());
            assertEquals("model", Json.parse(noModel.body()).path("error").path("param").asText());

            HttpResponse<String> noKey = HTTP.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/responses"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"qwen\",\"input\":\"hi\"}", StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, noKey.statusCode());
            assertEquals(0, chat.requests().size());
        }
    }
}
