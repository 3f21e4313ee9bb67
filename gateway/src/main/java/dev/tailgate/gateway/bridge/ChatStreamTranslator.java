package dev.tailgate.gateway.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.ApiError;

/**
 * Turns a chat-completions stream into another API's stream events, chunk by chunk. Reading a chunk is the same for
 * every API and lives here: an {@code error} chunk fails the stream, {@code usage} is kept for the terminal event,
 * and the first choice's delta is taken apart into reasoning text, content text and tool-call fragments (each call
 * told apart by its index, see {@link ToolCallDelta}), then its {@code finish_reason}. What each of those becomes is
 * the subclass's API. One instance per streamed request; not thread-safe (the upstream's event loop feeds it).
 */
public abstract class ChatStreamTranslator {
    private final ToolCallDelta toolCalls = new ToolCallDelta();
    private boolean started;
    private boolean finished;
    private String finishReason;
    private JsonNode usage;

    /** The client stream was opened (its first events went out). */
    public final boolean started() {
        return started;
    }

    /** The terminal event went out; nothing more will be written. */
    public final boolean finished() {
        return finished;
    }

    /** Opens the client stream ({@link #opening()}); called by the first chunk if not before. */
    public final void start() {
        if (started) return;
        started = true;
        opening();
    }

    /** One parsed chat-completion chunk (the JSON of one {@code data:} line). */
    public final void onChunk(JsonNode chunk) {
        if (finished || chunk == null || !chunk.isObject()) return;
        start();
        ApiError error = ChatMessage.errorIn(chunk);
        if (error != null) {
            onError(error);
            return;
        }
        if (chunk.path("usage").isObject()) usage = chunk.get("usage");
        JsonNode choice = ChatMessage.firstChoice(chunk.path("choices"));
        if (choice == null) return;
        JsonNode delta = choice.path("delta");

        String reasoning = ChatMessage.reasoningDelta(delta);
        if (reasoning != null && !reasoning.isEmpty()) reasoning(reasoning);
        String content = ChatMessage.textOf(delta, "content");
        if (content != null && !content.isEmpty()) text(content);
        JsonNode calls = delta.path("tool_calls");
        for (int i = 0; i < calls.size() && !finished; i++) {
            JsonNode call = calls.get(i);
            if (call.isObject()) toolCall(call, toolCalls.index(call, i, this::indexOfCall));
        }

        String finish = choice.path("finish_reason").asText(null);
        if (finish != null && !finished) {
            finishReason = finish;
            finishing(choice);
        }
    }

    /** The upstream ended cleanly: the terminal events. */
    public abstract void onEnd();

    /** The upstream failed (or was cut) after the stream started. */
    public abstract void onError(ApiError error);

    /** A keep-alive while the upstream is quiet, for APIs that have one. */
    public void ping() {}

    /** The API's opening events. */
    protected abstract void opening();

    /** A piece of reasoning text (not empty). */
    protected abstract void reasoning(String delta);

    /** A piece of content text (not empty). */
    protected abstract void text(String delta);

    /** A fragment of the tool call at {@code index} (read it with {@link ToolCallDelta}'s helpers). */
    protected abstract void toolCall(JsonNode call, int index);

    /** The index of the call with this id, or -1: for fragments that carry no index. */
    protected abstract int indexOfCall(String id);

    /** The choice carried a {@code finish_reason} (now {@link #finishReason()}): close what is open. */
    protected abstract void finishing(JsonNode choice);

    /** From now on the stream is {@link #finished()}; call once, before the terminal events. */
    protected final void markFinished() {
        finished = true;
    }

    /** The upstream's finish reason, or null before one arrived. */
    protected final String finishReason() {
        return finishReason;
    }

    /** The usage the stream reported (its last usage object), or null. */
    protected final JsonNode usage() {
        return usage;
    }
}
