package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.bridge.ChatStreamTranslator;
import dev.tailgate.gateway.bridge.ToolCallDelta;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns a stream of chat-completion chunks into Anthropic Messages streaming events, one chunk at a time.
 *
 * <p>Order: {@code message_start}, {@code ping}, then per content block {@code content_block_start} → deltas
 * ({@code thinking_delta}, {@code text_delta}, {@code input_json_delta}) → {@code content_block_stop}, with
 * {@code index} counting blocks from 0; then {@code message_delta} (stop_reason, usage) and {@code message_stop}.
 * Anthropic streams one block at a time, so a block is stopped when the next one starts: reasoning_content → a
 * thinking block, content → a text block, each tool call (by its chat {@code index}) → a tool_use block.
 *
 * <p>A failure after the stream started ends it with an {@code error} event and nothing else: the open block is not
 * stopped and no {@code message_stop} follows, so a client never runs a half-received tool call as if complete.
 *
 * <p>Not thread-safe: feed it from one thread (the upstream's event loop).
 */
final class MessagesStreamBridge extends ChatStreamTranslator {
    private enum Kind { THINKING, TEXT, TOOL }

    private final MessageContext context;
    private final Consumer<MessagesEvent> sink;

    private int nextIndex;
    private Kind openKind;
    private int openIndex = -1;
    private ToolBlock openTool;
    private final Map<Integer, ToolBlock> tools = new LinkedHashMap<>();
    private JsonNode finishChoice;

    MessagesStreamBridge(MessageContext context, Consumer<MessagesEvent> sink) {
        this.context = context;
        this.sink = sink;
    }

    /** {@code message_start} and a first {@code ping}. */
    @Override
    protected void opening() {
        emit("message_start", Json.object().set("message", context.message()));
        ping();
    }

    /** A keep-alive while the upstream is quiet (clients and proxies drop silent connections). */
    @Override
    public void ping() {
        if (started() && !finished()) emit("ping", Json.object());
    }

    @Override
    protected void reasoning(String delta) {
        appendText(Kind.THINKING, delta);
    }

    @Override
    protected void text(String delta) {
        appendText(Kind.TEXT, delta);
    }

    @Override
    protected void finishing(JsonNode choice) {
        finishChoice = choice;
        closeAll();
    }

    /** The upstream ended cleanly: stops what is open, then {@code message_delta} and {@code message_stop}. */
    @Override
    public void onEnd() {
        if (finished()) return;
        start();
        closeAll();
        markFinished();
        MessageContext.Stop stop = context.stop(finishReason(), finishChoice, !tools.isEmpty());
        ObjectNode event = Json.object();
        ObjectNode delta = event.putObject("delta");
        delta.put("stop_reason", stop.reason());
        if (stop.sequence() == null) delta.putNull("stop_sequence"); else delta.put("stop_sequence", stop.sequence());
        event.set("usage", MessageContext.usage(usage()));
        emit("message_delta", event);
        emit("message_stop", Json.object());
    }

    /** The upstream failed (or was cut) after the stream started: one {@code error} event, and the stream ends. */
    @Override
    public void onError(ApiError error) {
        if (finished()) return;
        start();
        markFinished();
        emit("error", AnthropicErrors.body(error));
    }

    // ---- text and thinking -------------------------------------------------------------------------------------------

    private void appendText(Kind kind, String text) {
        if (openKind != kind) {
            closeOpen();
            openBlock(kind, kind == Kind.TEXT
                    ? Json.object().put("type", "text").put("text", "")
                    : Json.object().put("type", "thinking").put("thinking", "").put("signature", ""));
        }
        ObjectNode delta = kind == Kind.TEXT
                ? Json.object().put("type", "text_delta").put("text", text)
                : Json.object().put("type", "thinking_delta").put("thinking", text);
        emit("content_block_delta", Json.object().put("index", openIndex).set("delta", delta));
    }

    // ---- tool calls --------------------------------------------------------------------------------------------------

    @Override
    protected void toolCall(JsonNode call, int index) {
        ToolBlock tool = tools.computeIfAbsent(index, i -> new ToolBlock());
        if (tool.id == null) tool.id = ToolCallDelta.id(call);
        if (tool.name == null) tool.name = ToolCallDelta.name(call);
        String args = ToolCallDelta.arguments(call);
        if (tool.stopped) {
            if (args != null && !args.isEmpty()) {
                // Anthropic streams blocks one after another; a call resumed after the next block began cannot be shown.
                onError(ApiError.upstream("The upstream interleaved the arguments of parallel tool calls; the stream cannot be translated."));
            }
            return;
        }
        if (args != null && !args.isEmpty()) {
            if (tool.blockIndex >= 0) emitArguments(tool, args);
            else tool.pending.append(args);
        }
        if (tool.blockIndex < 0 && tool.name != null) startTool(tool);
    }

    @Override
    protected int indexOfCall(String id) {
        for (Map.Entry<Integer, ToolBlock> e : tools.entrySet()) if (id.equals(e.getValue().id)) return e.getKey();
        return -1;
    }

    private void startTool(ToolBlock tool) {
        closeOpen();
        if (tool.id == null) tool.id = context.toolUseId();
        ObjectNode block = Json.object().put("type", "tool_use").put("id", tool.id).put("name", tool.name == null ? "" : tool.name);
        block.putObject("input");
        openBlock(Kind.TOOL, block);
        tool.blockIndex = openIndex;
        openTool = tool;
        // Arguments that arrived before the name (some upstreams split them) are sent now, not lost.
        if (!tool.pending.isEmpty()) {
            emitArguments(tool, tool.pending.toString());
            tool.pending.setLength(0);
        }
    }

    private void emitArguments(ToolBlock tool, String fragment) {
        ObjectNode delta = Json.object().put("type", "input_json_delta").put("partial_json", fragment);
        emit("content_block_delta", Json.object().put("index", tool.blockIndex).set("delta", delta));
    }

    // ---- blocks ------------------------------------------------------------------------------------------------------

    private void openBlock(Kind kind, ObjectNode block) {
        openKind = kind;
        openIndex = nextIndex++;
        emit("content_block_start", Json.object().put("index", openIndex).set("content_block", block));
    }

    private void closeOpen() {
        if (openKind == null) return;
        if (openTool != null) {
            openTool.stopped = true;
            openTool = null;
        }
        emit("content_block_stop", Json.object().put("index", openIndex));
        openKind = null;
    }

    /** Stops the open block, and shows (then stops) calls whose name never came, rather than lose them. */
    private void closeAll() {
        closeOpen();
        for (ToolBlock tool : tools.values()) {
            if (tool.blockIndex < 0) {
                startTool(tool);
                closeOpen();
            }
        }
    }

    private void emit(String type, ObjectNode payload) {
        ObjectNode data = Json.object();
        data.put("type", type);
        data.setAll(payload);
        sink.accept(new MessagesEvent(type, data));
    }

    private static final class ToolBlock {
        String id;
        String name;
        int blockIndex = -1;
        boolean stopped;
        final StringBuilder pending = new StringBuilder();
    }
}
