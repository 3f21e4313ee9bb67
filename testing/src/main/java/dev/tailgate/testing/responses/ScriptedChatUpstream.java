package dev.tailgate.testing.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A fake chat-completions provider on 127.0.0.1 whose answer is chosen by a script looking at the request — so a
 * multi-turn agent (Codex) can be driven deterministically: "first ask for a shell command, then answer with what the
 * tool printed". Every request body is recorded for assertions. Streams the way real providers do: a role chunk,
 * content or tool-call arguments split over several chunks, a finish chunk, a usage chunk, {@code [DONE]}.
 */
public final class ScriptedChatUpstream implements AutoCloseable {

    /** What the scripted model answers. */
    public sealed interface Reply {
        /** A plain assistant message. */
        record Text(String text) implements Reply {}

        /**
         * One tool call; {@code argumentsJson} is the arguments string the model emits. {@code reasoning}, when not
         * null, is streamed first as {@code reasoning_content} (as DeepSeek's thinking mode does).
         */
        record ToolCall(String callId, String name, String argumentsJson, String reasoning) implements Reply {
            public ToolCall(String callId, String name, String argumentsJson) {
                this(callId, name, argumentsJson, null);
            }
        }

        /** Some text, then the stream breaks (the connection is closed without finish or [DONE]). */
        record CutAfter(String partialText) implements Reply {}

        /** Some text, then nothing more until the client goes away (for cancellation tests). */
        record Stall(String partialText) implements Reply {}

        /** An HTTP error before any byte of the answer. */
        record HttpError(int status, String message) implements Reply {}
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Function<JsonNode, Reply> script;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch stalledClosed = new java.util.concurrent.CountDownLatch(1);

    private ScriptedChatUpstream(Vertx vertx, Function<JsonNode, Reply> script) throws Exception {
        this.vertx = vertx;
        this.script = script;
        this.server = vertx.createHttpServer()
                .requestHandler(this::handle)
                .listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Starts the fake on an ephemeral loopback port; {@code script} maps each chat request body to a reply. */
    public static ScriptedChatUpstream start(Function<JsonNode, Reply> script) throws Exception {
        return new ScriptedChatUpstream(Vertx.vertx(), script);
    }

    /** {@code http://127.0.0.1:<port>/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    public int port() {
        return server.actualPort();
    }

    /** The chat request bodies received, in order. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** Waits until the connection of a {@link Reply.Stall} stream has been closed by the gateway. */
    public boolean awaitStalledStreamClosed(long timeout, TimeUnit unit) throws InterruptedException {
        return stalledClosed.await(timeout, unit);
    }

    /** The last message of a chat request (what the conversation is waiting on). */
    public static JsonNode lastMessage(JsonNode chatRequest) {
        JsonNode messages = chatRequest.path("messages");
        return messages.isEmpty() ? Json.object() : messages.get(messages.size() - 1);
    }

    private void handle(HttpServerRequest request) {
        if (request.method().name().equals("GET") && request.path().endsWith("/models")) {
            ObjectNode list = Json.object().put("object", "list");
            list.putArray("data").addObject().put("id", "scripted").put("object", "model").put("owned_by", "test");
            request.response().putHeader("content-type", "application/json").end(Json.string(list));
            return;
        }
        if (!request.path().endsWith("/chat/completions")) {
            request.response().setStatusCode(404).putHeader("content-type", "application/json")
                    .end(Json.string(Json.object().set("error", Json.object().put("message", "no route " + request.path()))));
            return;
        }
        request.body().onSuccess(body -> {
            JsonNode chat;
            try {
                chat = Json.parse(body.getBytes());
            } catch (RuntimeException e) {
                request.response().setStatusCode(400).end("{\"error\":{\"message\":\"bad json\"}}");
                return;
            }
            requests.add(chat);
            Reply reply = script.apply(chat);
            if (reply instanceof Reply.HttpError(int status, String message)) {
                ObjectNode error = Json.object();
                error.putObject("error").put("message", message).put("type", "api_error");
                request.response().setStatusCode(status).putHeader("content-type", "application/json").end(Json.string(error));
            } else if (reply instanceof Reply.Stall && chat.path("stream").asBoolean(false)) {
                request.response().closeHandler(v -> stalledClosed.countDown());
                stream(request.response(), chat, reply);
            } else if (chat.path("stream").asBoolean(false)) {
                stream(request.response(), chat, reply);
            } else {
                request.response().putHeader("content-type", "application/json").end(Json.string(completion(chat, reply)));
            }
        });
    }

    private static ObjectNode completion(JsonNode chat, Reply reply) {
        ObjectNode out = Json.object();
        out.put("id", "chatcmpl-scripted");
        out.put("object", "chat.completion");
        out.put("created", 1_700_000_000L);
        out.put("model", chat.path("model").asText());
        ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        switch (reply) {
            case Reply.Text(String text) -> {
                message.put("content", text);
                choice.put("finish_reason", "stop");
            }
            case Reply.ToolCall(String callId, String name, String args, String reasoning) -> {
                message.putNull("content");
                if (reasoning != null) message.put("reasoning_content", reasoning);
                ObjectNode call = message.putArray("tool_calls").addObject();
                call.put("id", callId).put("type", "function").putObject("function").put("name", name).put("arguments", args);
                choice.put("finish_reason", "tool_calls");
            }
            case Reply.CutAfter(String text) -> {
                message.put("content", text);
                choice.put("finish_reason", "length");
            }
            case Reply.Stall(String text) -> {
                message.put("content", text);
                choice.put("finish_reason", "stop");
            }
            case Reply.HttpError e -> throw new IllegalStateException("handled before");
        }
        out.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15);
        return out;
    }

    private static void stream(HttpServerResponse response, JsonNode chat, Reply reply) {
        response.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
        String model = chat.path("model").asText();
        send(response, chunk(model, delta -> delta.put("role", "assistant").put("content", ""), null));
        switch (reply) {
            case Reply.Text(String text) -> {
                for (String piece : pieces(text)) send(response, chunk(model, delta -> delta.put("content", piece), null));
                finish(response, model, "stop");
            }
            case Reply.ToolCall(String callId, String name, String args, String reasoning) -> {
                if (reasoning != null) {
                    for (String piece : pieces(reasoning)) send(response, chunk(model, delta -> delta.put("reasoning_content", piece), null));
                }
                send(response, chunk(model, delta -> {
                    ObjectNode call = delta.putArray("tool_calls").addObject().put("index", 0).put("id", callId).put("type", "function");
                    call.putObject("function").put("name", name).put("arguments", "");
                }, null));
                for (String piece : pieces(args)) {
                    send(response, chunk(model, delta -> delta.putArray("tool_calls").addObject().put("index", 0)
                            .putObject("function").put("arguments", piece), null));
                }
                finish(response, model, "tool_calls");
            }
            case Reply.CutAfter(String text) -> {
                for (String piece : pieces(text)) send(response, chunk(model, delta -> delta.put("content", piece), null));
                response.reset(); // the connection breaks: no finish_reason, no [DONE]
            }
            case Reply.Stall(String text) -> {
                for (String piece : pieces(text)) send(response, chunk(model, delta -> delta.put("content", piece), null));
                // and nothing more: the gateway must close this connection when its client goes away
            }
            case Reply.HttpError e -> throw new IllegalStateException("handled before");
        }
    }

    private static void finish(HttpServerResponse response, String model, String reason) {
        send(response, chunk(model, delta -> { }, reason));
        ObjectNode usage = chunk(model, null, null);
        usage.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15);
        send(response, usage);
        response.end("data: [DONE]\n\n");
    }

    private static void send(HttpServerResponse response, ObjectNode chunk) {
        response.write("data: " + Json.string(chunk) + "\n\n");
    }

    private static ObjectNode chunk(String model, java.util.function.Consumer<ObjectNode> fillDelta, String finishReason) {
        ObjectNode chunk = Json.object();
        chunk.put("id", "chatcmpl-scripted");
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", 1_700_000_000L);
        chunk.put("model", model);
        ArrayNode choices = chunk.putArray("choices");
        if (fillDelta != null) {
            ObjectNode choice = choices.addObject().put("index", 0);
            fillDelta.accept(choice.putObject("delta"));
            if (finishReason == null) choice.putNull("finish_reason"); else choice.put("finish_reason", finishReason);
        }
        return chunk;
    }

    /** Splits into pieces of up to 7 characters, so that clients see real multi-chunk streams. */
    private static List<String> pieces(String text) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < text.length(); i += 7) out.add(text.substring(i, Math.min(text.length(), i + 7)));
        return out;
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
