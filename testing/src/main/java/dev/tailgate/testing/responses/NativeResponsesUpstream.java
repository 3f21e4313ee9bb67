package dev.tailgate.testing.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A fake provider that speaks the Responses API natively ({@code POST /v1/responses}), answering every request with a
 * fixed text — streamed as Responses events or as one object — and recording the raw bodies it received, so tests
 * can check a gateway passes requests through unchanged. {@code cut} ends streams before the terminal event.
 */
public final class NativeResponsesUpstream implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final String text;
    private final boolean cut;
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();

    private NativeResponsesUpstream(String text, boolean cut) throws Exception {
        this.text = text;
        this.cut = cut;
        this.server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public static NativeResponsesUpstream answering(String text) throws Exception {
        return new NativeResponsesUpstream(text, false);
    }

    /** Streams start normally, then the connection closes before {@code response.completed}. */
    public static NativeResponsesUpstream cuttingStreams(String text) throws Exception {
        return new NativeResponsesUpstream(text, true);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    /** Raw request bodies, exactly as received. */
    public List<byte[]> bodies() {
        return List.copyOf(bodies);
    }

    private void handle(HttpServerRequest request) {
        if (!request.path().endsWith("/responses")) {
            request.response().setStatusCode(404).end("{\"error\":{\"message\":\"no route\"}}");
            return;
        }
        request.body().onSuccess(body -> {
            bodies.add(body.getBytes());
            JsonNode req = Json.parse(body.getBytes());
            String model = req.path("model").asText();
            if (!req.path("stream").asBoolean(false)) {
                request.response().putHeader("content-type", "application/json").end(Json.string(response(model, "completed", true)));
                return;
            }
            var out = request.response().setChunked(true).putHeader("content-type", "text/event-stream");
            int seq = 0;
            out.write(event("response.created", seq++, Json.object().set("response", response(model, "in_progress", false))));
            ObjectNode delta = Json.object().put("item_id", "msg_native").put("output_index", 0).put("content_index", 0).put("delta", text);
            out.write(event("response.output_text.delta", seq++, delta));
            if (cut) {
                out.reset();
                return;
            }
            ObjectNode done = Json.object().put("output_index", 0);
            done.set("item", message());
            out.write(event("response.output_item.done", seq++, done));
            out.end(event("response.completed", seq, Json.object().set("response", response(model, "completed", true))));
        });
    }

    private ObjectNode response(String model, String status, boolean withOutput) {
        ObjectNode r = Json.object().put("id", "resp_native").put("object", "response").put("created_at", 1_700_000_000L)
                .put("status", status).put("model", model);
        var output = r.putArray("output");
        if (withOutput) output.add(message());
        if (withOutput) r.putObject("usage").put("input_tokens", 3).put("output_tokens", 2).put("total_tokens", 5);
        return r;
    }

    private ObjectNode message() {
        ObjectNode item = Json.object().put("id", "msg_native").put("type", "message").put("status", "completed").put("role", "assistant");
        item.putArray("content").addObject().put("type", "output_text").put("text", text).putArray("annotations");
        return item;
    }

    private static String event(String type, int seq, ObjectNode payload) {
        ObjectNode data = Json.object().put("type", type).put("sequence_number", seq);
        data.setAll(payload);
        return "event: " + type + "\ndata: " + Json.string(data) + "\n\n";
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
