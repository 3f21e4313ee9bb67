package dev.tailgate.testing.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A fake provider that speaks Anthropic's Messages API natively ({@code POST /v1/messages}), answering every request
 * with a fixed text — streamed as Messages events or as one message — and recording the raw bodies and headers it
 * received, so tests can check a gateway passes requests through unchanged. {@code cut} ends streams before
 * {@code message_stop}.
 */
public final class NativeMessagesUpstream implements AutoCloseable {
    /** One request as received. */
    public record Received(byte[] body, MultiMap headers) {
        public JsonNode json() {
            return Json.parse(body);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final String text;
    private final boolean cut;
    private final List<Received> requests = new CopyOnWriteArrayList<>();

    private NativeMessagesUpstream(String text, boolean cut) throws Exception {
        this.text = text;
        this.cut = cut;
        this.server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public static NativeMessagesUpstream answering(String text) throws Exception {
        return new NativeMessagesUpstream(text, false);
    }

    /** Streams start normally, then the connection closes before {@code message_stop}. */
    public static NativeMessagesUpstream cuttingStreams(String text) throws Exception {
        return new NativeMessagesUpstream(text, true);
    }

    /** {@code http://127.0.0.1:<port>/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    public List<Received> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpServerRequest request) {
        if (!request.path().equals("/v1/messages")) {
            request.response().setStatusCode(404).putHeader("content-type", "application/json")
                    .end("{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\",\"message\":\"no route\"}}");
            return;
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
        request.body().onSuccess(body -> {
            requests.add(new Received(body.getBytes(), headers));
            JsonNode json = Json.parse(body.getBytes());
            String model = json.path("model").asText();
            HttpServerResponse response = request.response();
            if (!json.path("stream").asBoolean(false)) {
                ObjectNode message = message(model);
                message.putArray("content").addObject().put("type", "text").put("text", text);
                message.put("stop_reason", "end_turn");
                message.set("usage", Json.object().put("input_tokens", 11).put("output_tokens", 4));
                response.putHeader("content-type", "application/json").end(Json.string(message));
                return;
            }
            response.setChunked(true).putHeader("content-type", "text/event-stream");
            ObjectNode start = message(model);
            start.putArray("content");
            start.set("usage", Json.object().put("input_tokens", 11).put("output_tokens", 1));
            send(response, "message_start", Json.object().put("type", "message_start").set("message", start));
            send(response, "content_block_start", Json.object().put("type", "content_block_start").put("index", 0)
                    .set("content_block", Json.object().put("type", "text").put("text", "")));
            send(response, "content_block_delta", Json.object().put("type", "content_block_delta").put("index", 0)
                    .set("delta", Json.object().put("type", "text_delta").put("text", text)));
            if (cut) {
                response.reset();
                return;
            }
            send(response, "content_block_stop", Json.object().put("type", "content_block_stop").put("index", 0));
            ObjectNode delta = Json.object().put("type", "message_delta");
            delta.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
            delta.set("usage", Json.object().put("output_tokens", 4));
            send(response, "message_delta", delta);
            send(response, "message_stop", Json.object().put("type", "message_stop"));
            response.end();
        });
    }

    private static ObjectNode message(String model) {
        ObjectNode message = Json.object();
        message.put("id", "msg_native");
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", model);
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        return message;
    }

    private static void send(HttpServerResponse response, String type, ObjectNode data) {
        response.write("event: " + type + "\ndata: " + Json.string(data) + "\n\n");
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing a test server: nothing useful to do
        } finally {
            vertx.close();
        }
    }
}
