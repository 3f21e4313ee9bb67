package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.bridge.ChatStreamTranslator;
import dev.tailgate.gateway.bridge.ToolCallDelta;
import dev.tailgate.gateway.responses.ToolNameMap.ToolRef;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns a stream of chat-completion chunks into Responses streaming events, one chunk at a time.
 *
 * <p>Event order per item: {@code output_item.added} → deltas → {@code *.done} → {@code output_item.done}; the stream
 * opens with {@code response.created}, {@code response.in_progress} and always ends with exactly one terminal event:
 * {@code response.completed}, {@code response.incomplete} (finish_reason {@code length}/{@code content_filter}) or
 * {@code response.failed} (preceded by an {@code error} event). Text, reasoning and tool calls each become their own
 * output item with its own {@code output_index}; tool calls are tracked by their chat {@code index}, so parallel calls
 * and arguments split over many chunks are reassembled without loss.
 *
 * <p>On failure, items still open are <em>not</em> reported as done: a half-streamed tool call must never look
 * complete to a client that executes tool calls (Codex runs what {@code output_item.done} carries).
 *
 * <p>Not thread-safe: feed it from one thread (the upstream's event loop).
 */
public final class ResponsesStreamBridge extends ChatStreamTranslator {
    private final ResponseContext context;
    private final Consumer<ResponsesEvent> sink;

    private int sequence;
    private final List<ObjectNode> doneItems = new ArrayList<>(); // by output_index; null while still open
    private TextItem text;
    private TextItem reasoning;
    private final Map<Integer, ToolItem> tools = new LinkedHashMap<>();

    public ResponsesStreamBridge(ResponseContext context, Consumer<ResponsesEvent> sink) {
        this.context = context;
        this.sink = sink;
    }

    /** {@code response.created} and {@code response.in_progress}. */
    @Override
    protected void opening() {
        emit("response.created", withResponse(context.response("in_progress")));
        emit("response.in_progress", withResponse(context.response("in_progress")));
    }

    @Override
    protected void finishing(JsonNode choice) {
        closeAll(itemStatus());
    }

    /** The upstream ended cleanly: closes what is open and emits the terminal event. */
    @Override
    public void onEnd() {
        if (finished()) return;
        start();
        closeAll(itemStatus());
        markFinished();
        String incomplete = OutputItems.incompleteReason(finishReason());
        ObjectNode response = context.response(incomplete == null ? "completed" : "incomplete");
        if (incomplete != null) response.putObject("incomplete_details").put("reason", incomplete);
        fillOutput(response);
        response.set("usage", ResponseContext.usage(usage()));
        emit(incomplete == null ? "response.completed" : "response.incomplete", withResponse(response));
    }

    /** The upstream failed (or was cut) after the stream started: {@code error}, then {@code response.failed}. */
    @Override
    public void onError(ApiError error) {
        if (finished()) return;
        start();
        markFinished();
        String code = error.code() == null ? error.type() : error.code();
        ObjectNode errorEvent = Json.object();
        errorEvent.put("code", code);
        errorEvent.put("message", error.message());
        errorEvent.putNull("param");
        emit("error", errorEvent);
        ObjectNode response = context.response("failed");
        response.putObject("error").put("code", code).put("message", error.message());
        fillOutput(response);
        response.set("usage", ResponseContext.usage(usage()));
        emit("response.failed", withResponse(response));
    }

    // ---- text and reasoning ------------------------------------------------------------------------------------------

    @Override
    protected void text(String delta) {
        closeReasoning("completed");
        if (text == null) {
            text = new TextItem(context.newId("msg"), openSlot());
            emit("response.output_item.added", itemEvent(text.outputIndex, OutputItems.message(text.id, "in_progress", null)));
            ObjectNode part = contentEvent(text);
            part.set("part", OutputItems.textPart(""));
            emit("response.content_part.added", part);
        }
        text.content.append(delta);
        ObjectNode event = contentEvent(text);
        event.put("delta", delta);
        event.putArray("logprobs");
        emit("response.output_text.delta", event);
    }

    private void closeText(String status) {
        if (text == null) return;
        TextItem item = text;
        text = null;
        String full = item.content.toString();
        ObjectNode done = contentEvent(item);
        done.put("text", full);
        done.putArray("logprobs");
        emit("response.output_text.done", done);
        ObjectNode partDone = contentEvent(item);
        partDone.set("part", OutputItems.textPart(full));
        emit("response.content_part.done", partDone);
        finishItem(item.outputIndex, OutputItems.message(item.id, status, full));
    }

    @Override
    protected void reasoning(String delta) {
        closeText("completed");
        if (reasoning == null) {
            reasoning = new TextItem(context.newId("rs"), openSlot());
            emit("response.output_item.added", itemEvent(reasoning.outputIndex, OutputItems.reasoning(reasoning.id, null)));
        }
        reasoning.content.append(delta);
        ObjectNode event = contentEvent(reasoning);
        event.put("delta", delta);
        emit("response.reasoning_text.delta", event);
    }

    private void closeReasoning(String status) {
        if (reasoning == null) return;
        TextItem item = reasoning;
        reasoning = null;
        ObjectNode done = contentEvent(item);
        done.put("text", item.content.toString());
        emit("response.reasoning_text.done", done);
        ObjectNode finished = OutputItems.reasoning(item.id, item.content.toString());
        finishItem(item.outputIndex, finished);
    }

    // ---- tool calls --------------------------------------------------------------------------------------------------

    @Override
    protected void toolCall(JsonNode call, int index) {
        ToolItem tool = tools.get(index);
        if (tool == null || tool.closed) {
            if (tool != null && !call.hasNonNull("id")) return; // stray delta for a call already closed
            tool = new ToolItem();
            tools.put(index, tool);
        }
        if (tool.callId == null) tool.callId = ToolCallDelta.id(call);
        if (tool.chatName == null) tool.chatName = ToolCallDelta.name(call);
        String args = ToolCallDelta.arguments(call);
        if (args != null && !args.isEmpty()) {
            tool.arguments.append(args);
            if (tool.added) emitArgumentsDelta(tool, args);
        }
        if (!tool.added && tool.chatName != null) addTool(tool);
    }

    @Override
    protected int indexOfCall(String callId) {
        for (Map.Entry<Integer, ToolItem> e : tools.entrySet()) if (callId.equals(e.getValue().callId)) return e.getKey();
        return -1;
    }

    private void addTool(ToolItem tool) {
        closeReasoning("completed");
        closeText("completed");
        tool.ref = context.tools().resolve(tool.chatName == null ? "" : tool.chatName);
        if (tool.callId == null) tool.callId = context.newId("call");
        tool.id = context.newId(OutputItems.toolItemPrefix(tool.ref));
        tool.outputIndex = openSlot();
        tool.added = true;
        emit("response.output_item.added", itemEvent(tool.outputIndex, OutputItems.toolCall(tool.id, "in_progress", tool.callId, tool.ref, "")));
        // Arguments that arrived before the name (some upstreams split them) are sent now, not lost.
        if (!tool.arguments.isEmpty()) emitArgumentsDelta(tool, tool.arguments.toString());
    }

    private void emitArgumentsDelta(ToolItem tool, String delta) {
        // A custom tool's input is wrapped in {"input": ...} by the upstream; it is unwrapped once complete.
        if (tool.ref.kind() == ToolNameMap.Kind.CUSTOM) return;
        ObjectNode event = toolEvent(tool);
        event.put("delta", delta);
        emit("response.function_call_arguments.delta", event);
    }

    private void closeTool(ToolItem tool, String status) {
        if (tool.closed) return;
        if (!tool.added) addTool(tool);
        tool.closed = true;
        String arguments = tool.arguments.isEmpty() ? "{}" : tool.arguments.toString();
        if (tool.ref.kind() == ToolNameMap.Kind.CUSTOM) {
            String input = OutputItems.customInput(arguments);
            if (!input.isEmpty()) {
                ObjectNode delta = toolEvent(tool);
                delta.put("delta", input);
                emit("response.custom_tool_call_input.delta", delta);
            }
            ObjectNode done = toolEvent(tool);
            done.put("input", input);
            emit("response.custom_tool_call_input.done", done);
        } else {
            ObjectNode done = toolEvent(tool);
            done.put("name", tool.ref.name());
            done.put("arguments", arguments);
            emit("response.function_call_arguments.done", done);
        }
        finishItem(tool.outputIndex, OutputItems.toolCall(tool.id, status, tool.callId, tool.ref, arguments));
    }

    // ---- bookkeeping -------------------------------------------------------------------------------------------------

    private void closeAll(String status) {
        closeReasoning(status);
        closeText(status);
        for (ToolItem tool : tools.values()) closeTool(tool, status);
    }

    private String itemStatus() {
        return OutputItems.incompleteReason(finishReason()) == null ? "completed" : "incomplete";
    }

    private int openSlot() {
        doneItems.add(null);
        return doneItems.size() - 1;
    }

    private void finishItem(int outputIndex, ObjectNode item) {
        doneItems.set(outputIndex, item);
        emit("response.output_item.done", itemEvent(outputIndex, item));
    }

    private void fillOutput(ObjectNode response) {
        ArrayNode output = (ArrayNode) response.get("output");
        for (ObjectNode item : doneItems) if (item != null) output.add(item);
    }

    private ObjectNode withResponse(ObjectNode response) {
        ObjectNode event = Json.object();
        event.set("response", response);
        return event;
    }

    private static ObjectNode itemEvent(int outputIndex, ObjectNode item) {
        ObjectNode event = Json.object();
        event.put("output_index", outputIndex);
        event.set("item", item);
        return event;
    }

    private static ObjectNode contentEvent(TextItem item) {
        ObjectNode event = Json.object();
        event.put("item_id", item.id);
        event.put("output_index", item.outputIndex);
        event.put("content_index", 0);
        return event;
    }

    private static ObjectNode toolEvent(ToolItem tool) {
        ObjectNode event = Json.object();
        event.put("item_id", tool.id);
        event.put("output_index", tool.outputIndex);
        return event;
    }

    /** Puts {@code type} and the next {@code sequence_number} first, then the payload, and hands the event on. */
    private void emit(String type, ObjectNode payload) {
        ObjectNode data = Json.object();
        data.put("type", type);
        data.put("sequence_number", sequence++);
        data.setAll(payload);
        sink.accept(new ResponsesEvent(type, data));
    }

    private static final class TextItem {
        final String id;
        final int outputIndex;
        final StringBuilder content = new StringBuilder();

        TextItem(String id, int outputIndex) {
            this.id = id;
            this.outputIndex = outputIndex;
        }
    }

    private static final class ToolItem {
        String id;
        String callId;
        String chatName;
        ToolRef ref;
        int outputIndex = -1;
        boolean added;
        boolean closed;
        final StringBuilder arguments = new StringBuilder();
    }
}
