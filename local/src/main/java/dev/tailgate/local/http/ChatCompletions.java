package dev.tailgate.local.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.tailgate.local.config.ModelConfig;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec.Capability;
import dev.tailgate.local.sched.Rejected;
import dev.tailgate.local.sched.Scheduler;
import dev.tailgate.local.sched.Ticket;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** POST /v1/chat/completions: validates the request, submits it, answers as JSON or as an SSE stream. */
final class ChatCompletions {
    private final Scheduler scheduler;

    ChatCompletions(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    void handle(Exchange ex, byte[] body) {
        ObjectNode req = Requests.object(body);
        String model = Requests.requiredString(req, "model");
        ex.model = model;
        validate(req);
        boolean stream = Requests.optionalBoolean(req, "stream", "stream", false);
        ex.stream = stream;
        boolean includeUsage = false;
        JsonNode options = req.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) throw BadRequest.of("Invalid type for 'stream_options': expected an object.", "stream_options");
            includeUsage = Requests.optionalBoolean(options, "include_usage", "stream_options.include_usage", false);
        }
        ModelConfig cfg = scheduler.model(model);
        if (cfg == null) throw new BadRequest(ApiError.modelNotFound(model));
        if (cfg.capability() != Capability.CHAT) {
            throw BadRequest.of("Model '" + model + "' is a " + cfg.capability().wireName()
                    + " model and cannot do chat completions.", "model");
        }
        JobListener responder = stream ? new StreamResponder(ex, model, includeUsage) : new JsonResponder(ex, model);
        try {
            Ticket ticket = scheduler.submit(model, new EngineRequest.Chat(req), responder);
            ex.cancelWhenClientLeaves(ticket);
        } catch (Rejected r) {
            ex.error(r.error());
        }
    }

    private static void validate(ObjectNode req) {
        JsonNode messages = req.get("messages");
        if (messages == null || messages.isNull()) throw BadRequest.of("Missing required parameter: 'messages'.", "messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw BadRequest.of("Invalid 'messages': expected a non-empty array of messages.", "messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) throw BadRequest.of("Invalid '" + at + "': expected an object.", at);
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) throw BadRequest.of("Invalid '" + at + ".role': expected a string.", at + ".role");
            JsonNode content = m.get("content");
            if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
                throw BadRequest.of("Invalid '" + at + ".content': expected a string or an array of parts.", at + ".content");
            }
        }
        JsonNode n = req.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asInt() == 1)) {
            throw BadRequest.of("Only n=1 is supported.", "n");
        }
        Requests.optionalPositiveInt(req, "max_tokens");
        Requests.optionalPositiveInt(req, "max_completion_tokens");
        Requests.optionalNumber(req, "temperature");
        Requests.optionalNumber(req, "top_p");
        Requests.optionalNumber(req, "seed");
    }

    private static String newId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    static final int ARGUMENT_FRAGMENT_CHARS = 32;

    /** Splits arguments into fragments of at most {@value #ARGUMENT_FRAGMENT_CHARS} chars, never inside a surrogate pair. */
    static List<String> fragments(String arguments) {
        List<String> out = new ArrayList<>();
        int at = 0;
        while (at < arguments.length()) {
            int end = Math.min(arguments.length(), at + ARGUMENT_FRAGMENT_CHARS);
            if (end < arguments.length() && Character.isHighSurrogate(arguments.charAt(end - 1))) end--;
            out.add(arguments.substring(at, end));
            at = end;
        }
        return out;
    }

    private static ObjectNode usageJson(JobListener.Usage usage) {
        int p = usage == null ? 0 : usage.promptTokens();
        int c = usage == null ? 0 : usage.completionTokens();
        ObjectNode u = Json.object();
        u.put("prompt_tokens", p);
        u.put("completion_tokens", c);
        u.put("total_tokens", p + c);
        // OpenAI's field for prompt tokens served from a cache: the prompt cache reuse an engine reported
        if (usage != null && usage.cachedPromptTokens() > 0) {
            u.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedPromptTokens());
        }
        return u;
    }

    /** Collects the whole answer, then replies with one chat.completion object. */
    private static final class JsonResponder implements JobListener {
        private final Exchange ex;
        private final String model;
        private final StringBuilder text = new StringBuilder(); // touched on the event loop only
        private final StringBuilder reasoning = new StringBuilder(); // event loop only
        private final List<ToolCall> calls = new ArrayList<>(); // event loop only

        JsonResponder(Exchange ex, String model) {
            this.ex = ex;
            this.model = model;
        }

        @Override
        public void onDelta(String delta) {
            ex.onContext(() -> text.append(delta));
        }

        @Override
        public void onReasoning(String delta) {
            ex.onContext(() -> reasoning.append(delta));
        }

        @Override
        public void onToolCall(ToolCall call) {
            ex.onContext(() -> calls.add(call));
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            ex.onContext(() -> {
                ObjectNode root = Json.object();
                root.put("id", newId());
                root.put("object", "chat.completion");
                root.put("created", System.currentTimeMillis() / 1000);
                root.put("model", model);
                ObjectNode choice = root.putArray("choices").addObject();
                choice.put("index", 0);
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                // a turn that only calls tools has no content (null, as OpenAI sends it)
                if (text.isEmpty() && !calls.isEmpty()) message.putNull("content");
                else message.put("content", text.toString());
                if (!reasoning.isEmpty()) message.put("reasoning_content", reasoning.toString());
                message.putNull("refusal");
                if (!calls.isEmpty()) {
                    ArrayNode tc = message.putArray("tool_calls");
                    for (ToolCall c : calls) {
                        ObjectNode o = tc.addObject();
                        o.put("id", c.id());
                        o.put("type", "function");
                        o.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                    }
                }
                choice.putNull("logprobs");
                choice.put("finish_reason", finishReason == null ? "stop" : finishReason);
                root.set("usage", usageJson(usage));
                ex.json(200, root);
            });
        }

        @Override
        public void onError(EngineFailure failure) {
            ex.onContext(() -> ex.error(Failures.toApiError(failure)));
        }
    }

    /**
     * Streams chat.completion.chunk events. Headers go out with the first token, so a failure before it is still a
     * proper HTTP error (503 etc.); after it, a failure ends the stream with an SSE {@code error} event and no [DONE].
     * Every event is its own write, which Vert.x flushes at once.
     */
    private static final class StreamResponder implements JobListener {
        private final Exchange ex;
        private final String model;
        private final boolean includeUsage;
        private final String id = newId();
        private final long created = System.currentTimeMillis() / 1000;
        private static final byte[] CONTENT = "\"content\":\"".getBytes(StandardCharsets.UTF_8);
        private static final byte[] REASONING = "\"reasoning_content\":\"".getBytes(StandardCharsets.UTF_8);
        private boolean started; // event loop only
        private int callIndex; // event loop only
        private byte[] head; // a text event up to its delta's first field, event loop only
        private byte[] tail; // and after the delta's object

        StreamResponder(Exchange ex, String model, boolean includeUsage) {
            this.ex = ex;
            this.model = model;
            this.includeUsage = includeUsage;
        }

        @Override
        public void onDelta(String delta) {
            ex.onContext(() -> sendText(CONTENT, delta));
        }

        @Override
        public void onReasoning(String delta) {
            ex.onContext(() -> sendText(REASONING, delta));
        }

        /**
         * A text delta, the event sent once per token: the same JSON as {@link #chunk} writes, assembled from this
         * stream's fixed head and tail around the escaped text, without building and serialising a tree per token.
         */
        private void sendText(byte[] field, String text) {
            if (ex.finished()) return;
            start();
            if (head == null) {
                String full = "data: " + Json.string(chunk(Json.object().put("x", ""), null)) + "\n\n";
                int at = full.indexOf("{\"x\":\"\"}");
                head = full.substring(0, at + 1).getBytes(StandardCharsets.UTF_8);
                tail = full.substring(at + "{\"x\":\"\"".length()).getBytes(StandardCharsets.UTF_8);
            }
            byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
            ex.response.write(Buffer.buffer(head.length + field.length + escaped.length + 1 + tail.length)
                    .appendBytes(head).appendBytes(field).appendBytes(escaped).appendByte((byte) '"').appendBytes(tail));
        }

        /** A call as OpenAI streams one: index, id and name first, then the arguments in fragments. */
        @Override
        public void onToolCall(ToolCall call) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                start();
                int index = callIndex++;
                ObjectNode head = Json.object();
                ObjectNode first = head.putArray("tool_calls").addObject();
                first.put("index", index);
                first.put("id", call.id());
                first.put("type", "function");
                first.putObject("function").put("name", call.name()).put("arguments", "");
                send(chunk(head, null));
                for (String fragment : fragments(call.arguments())) {
                    ObjectNode d = Json.object();
                    ObjectNode part = d.putArray("tool_calls").addObject();
                    part.put("index", index);
                    part.putObject("function").put("arguments", fragment);
                    send(chunk(d, null));
                }
            });
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                start();
                send(chunk(Json.object(), finishReason == null ? "stop" : finishReason));
                if (includeUsage) {
                    ObjectNode u = base();
                    u.putArray("choices");
                    u.set("usage", usageJson(usage));
                    send(u);
                }
                ex.response.end(Buffer.buffer("data: [DONE]\n\n"));
            });
        }

        @Override
        public void onError(EngineFailure failure) {
            ex.onContext(() -> {
                if (ex.finished()) return;
                ApiError error = Failures.toApiError(failure);
                if (!started) {
                    ex.error(error);
                    return;
                }
                String event = "event: error\ndata: " + Json.string(error.toJson()) + "\n\n";
                ex.response.end(Buffer.buffer(event.getBytes(StandardCharsets.UTF_8)));
            });
        }

        private void start() {
            if (started) return;
            started = true;
            ex.response.setStatusCode(200)
                    .setChunked(true)
                    .putHeader("content-type", "text/event-stream; charset=utf-8")
                    .putHeader("cache-control", "no-cache")
                    .putHeader("x-accel-buffering", "no");
            ObjectNode d = Json.object();
            d.put("role", "assistant");
            d.put("content", "");
            send(chunk(d, null));
        }

        private ObjectNode base() {
            ObjectNode c = Json.object();
            c.put("id", id);
            c.put("object", "chat.completion.chunk");
            c.put("created", created);
            c.put("model", model);
            return c;
        }

        private ObjectNode chunk(ObjectNode delta, String finishReason) {
            ObjectNode c = base();
            ArrayNode choices = c.putArray("choices");
            ObjectNode choice = choices.addObject();
            choice.put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            if (finishReason == null) choice.putNull("finish_reason"); else choice.put("finish_reason", finishReason);
            return c;
        }

        private void send(ObjectNode event) {
            byte[] json = Json.bytes(event);
            Buffer b = Buffer.buffer(json.length + 8).appendString("data: ").appendBytes(json).appendString("\n\n");
            ex.response.write(b);
        }
    }
}
