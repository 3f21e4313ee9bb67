package dev.tailgate.testing.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * One request being answered by a {@link Behaviour}, with helpers that write OpenAI-shaped answers. All helpers must
 * be called on the request's event loop ({@link #later} schedules work back onto it).
 */
public final class FakeExchange {
    private final Vertx vertx;
    private final HttpServerRequest request;
    private final byte[] body;
    private final JsonNode json;
    private final String model;
    private final FakeOpenAiUpstream upstream;
    private String eol = "\n";

    FakeExchange(Vertx vertx, HttpServerRequest request, byte[] body, JsonNode json, String model, FakeOpenAiUpstream upstream) {
        this.vertx = vertx;
        this.request = request;
        this.body = body;
        this.json = json;
        this.model = model;
        this.upstream = upstream;
    }

    public HttpServerRequest request() { return request; }
    public HttpServerResponse response() { return request.response(); }
    public byte[] body() { return body; }
    /** The JSON body, or null (multipart, GET). */
    public JsonNode json() { return json; }
    public String model() { return model; }
    public String path() { return request.path(); }
    public FakeOpenAiUpstream upstream() { return upstream; }
    public boolean streamRequested() { return json != null && json.path("stream").asBoolean(false); }
    public boolean includeUsage() { return json != null && json.path("stream_options").path("include_usage").asBoolean(false); }

    /** Line ending used by the SSE helpers ("\n" by default; "\r\n" or "\r" to exercise parsers). */
    public FakeExchange lineEnding(String eol) {
        this.eol = eol;
        return this;
    }

    /** Runs {@code r} on this request's event loop after {@code ms} milliseconds. */
    public void later(long ms, Runnable r) {
        vertx.setTimer(Math.max(1, ms), t -> r.run());
    }

    /** The text of the last user message (content string or text parts). */
    public String lastUserText() {
        if (json == null) return "";
        JsonNode msgs = json.path("messages");
        for (int i = msgs.size() - 1; i >= 0; i--) {
            JsonNode m = msgs.get(i);
            if (!"user".equals(m.path("role").asText())) continue;
            JsonNode c = m.get("content");
            if (c == null) return "";
            if (c.isTextual()) return c.asText();
            StringBuilder sb = new StringBuilder();
            for (JsonNode p : c) if ("text".equals(p.path("type").asText())) sb.append(p.path("text").asText());
            return sb.toString();
        }
        return "";
    }

    public void json(int status, Object body) {
        response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(Json.bytes(body)));
    }

    public void error(int status, String type, String code, String message) {
        ObjectNode root = Json.object();
        ObjectNode e = root.putObject("error");
        e.put("message", message).put("type", type).putNull("param");
        if (code == null) e.putNull("code"); else e.put("code", code);
        json(status, root);
    }

    /** A complete non-streamed chat completion whose assistant message is {@code content}. */
    public ObjectNode completion(String content) {
        ObjectNode o = Json.object();
        o.put("id", "chatcmpl-fake").put("object", "chat.completion").put("created", 1_700_000_000L).put("model", model);
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        o.set("usage", usage(content));
        o.put("system_fingerprint", "fp_fake").put("x_fake_extension", "kept");
        return o;
    }

    ObjectNode usage(String content) {
        int prompt = Math.max(1, lastUserText().split("\\s+").length);
        int completion = Math.max(1, content.split("\\s+").length);
        ObjectNode u = Json.object();
        u.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
        return u;
    }

    /** The chunks of a streamed completion of {@code content}, split into words: role chunk, deltas, finish chunk (+ usage). */
    public List<ObjectNode> chunks(String content) {
        List<ObjectNode> out = new ArrayList<>();
        out.add(chunk(Json.object().put("role", "assistant").put("content", ""), null));
        String[] words = content.split("(?<= )");
        for (String w : words) out.add(chunk(Json.object().put("content", w), null));
        out.add(chunk(Json.object(), "stop"));
        if (includeUsage()) {
            ObjectNode u = Json.object();
            u.put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1_700_000_000L).put("model", model);
            u.putArray("choices");
            u.set("usage", usage(content));
            out.add(u);
        }
        return out;
    }

    public ObjectNode chunk(ObjectNode delta, String finishReason) {
        ObjectNode o = Json.object();
        o.put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1_700_000_000L).put("model", model);
        ArrayNode choices = o.putArray("choices");
        ObjectNode c = choices.addObject();
        c.put("index", 0);
        c.set("delta", delta);
        if (finishReason == null) c.putNull("finish_reason"); else c.put("finish_reason", finishReason);
        return o;
    }

    /** Sends SSE response headers (once). */
    public void startSse() {
        HttpServerResponse r = response();
        if (r.headWritten()) return;
        r.setStatusCode(200).setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
    }

    public void sendEvent(Object jsonData) {
        startSse();
        response().write(Buffer.buffer("data: " + Json.string(jsonData) + eol + eol));
    }

    public void sendRaw(String text) {
        startSse();
        response().write(Buffer.buffer(text));
    }

    public void sendDone() {
        startSse();
        response().end(Buffer.buffer("data: [DONE]" + eol + eol));
    }

    /** Streams {@code chunks} one write per event, {@code intervalMs} apart, then {@code [DONE]}. */
    public void streamChunks(List<ObjectNode> chunks, long intervalMs) {
        startSse();
        streamFrom(chunks, 0, intervalMs);
    }

    private void streamFrom(List<ObjectNode> chunks, int i, long intervalMs) {
        if (response().closed()) return;
        if (i >= chunks.size()) {
            sendDone();
            return;
        }
        sendEvent(chunks.get(i));
        if (intervalMs <= 0) streamFrom(chunks, i + 1, 0);
        else later(intervalMs, () -> streamFrom(chunks, i + 1, intervalMs));
    }

    /** Drops the TCP connection without finishing the response. */
    public void cut() {
        request.connection().close();
    }
}
