package dev.tailgate.local.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tailgate.local.engine.llama.AssistantOutput;

/**
 * Rebuilds whole tool calls from llama-server's streamed {@code tool_calls} deltas (index, id and name first, then
 * argument fragments) and hands each to the listener once it is complete: when the next call starts, when text
 * follows, or when the stream ends. Our HTTP layer then streams it in OpenAI's shape again (with our own call ids).
 * Each delta meanwhile is progress for the job.
 */
final class ToolCallCollector {
    private final AssistantOutput output;
    private final boolean parallel;
    private int index = -1;
    private String id;
    private String name;
    private final StringBuilder arguments = new StringBuilder();
    private int count;

    /** {@code parallel} false: calls after the first are dropped (llama-server may still send them). */
    ToolCallCollector(AssistantOutput output, boolean parallel) {
        this.output = output;
        this.parallel = parallel;
    }

    void accept(ArrayNode deltas) {
        for (JsonNode d : deltas) {
            int i = d.path("index").asInt(index < 0 ? 0 : index);
            if (i != index) {
                flush();
                index = i;
            }
            if (d.path("id").isTextual() && !d.get("id").asText().isEmpty()) id = d.get("id").asText();
            JsonNode fn = d.path("function");
            if (fn.path("name").isTextual() && !fn.get("name").asText().isEmpty()) name = fn.get("name").asText();
            if (fn.path("arguments").isTextual()) arguments.append(fn.get("arguments").asText());
            output.toolCallPiece(); // a long call streams for a while before it is whole: the watchdog must hear of it
        }
    }

    /** Reports the call being collected, if any. */
    void flush() {
        if (name != null && (parallel || count == 0)) {
            count++;
            output.toolCall(name, arguments.isEmpty() ? "{}" : arguments.toString());
        }
        id = null;
        name = null;
        arguments.setLength(0);
    }

    int count() {
        return count;
    }
}
