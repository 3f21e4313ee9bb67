package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.responses.ToolNameMap.ToolRef;
import dev.tailgate.wire.Json;

/**
 * The Responses output items and content parts, built in one place so that the streamed and the non-streamed answers
 * have exactly the same shapes (Codex reads the items of {@code response.output_item.done}).
 */
final class OutputItems {
    private OutputItems() {}

    static ObjectNode message(String id, String status, String text) {
        ObjectNode item = Json.object();
        item.put("id", id);
        item.put("type", "message");
        item.put("status", status);
        item.put("role", "assistant");
        if (text == null) item.putArray("content");
        else item.putArray("content").add(textPart(text));
        return item;
    }

    static ObjectNode textPart(String text) {
        ObjectNode part = Json.object();
        part.put("type", "output_text");
        part.put("text", text);
        part.putArray("annotations");
        part.putArray("logprobs");
        return part;
    }

    /** A {@code function_call} or {@code custom_tool_call} item, chosen by the kind the client declared the tool as. */
    static ObjectNode toolCall(String id, String status, String callId, ToolRef tool, String arguments) {
        ObjectNode item = Json.object();
        item.put("id", id);
        boolean custom = tool.kind() == ToolNameMap.Kind.CUSTOM;
        item.put("type", custom ? "custom_tool_call" : "function_call");
        item.put("status", status);
        item.put("call_id", callId);
        item.put("name", tool.name());
        if (tool.namespace() != null) item.put("namespace", tool.namespace());
        if (custom) item.put("input", arguments == null ? "" : customInput(arguments));
        else item.put("arguments", arguments == null ? "" : arguments);
        return item;
    }

    static String toolItemPrefix(ToolRef tool) {
        return tool.kind() == ToolNameMap.Kind.CUSTOM ? "ctc" : "fc";
    }

    static ObjectNode reasoning(String id, String text) {
        ObjectNode item = Json.object();
        item.put("id", id);
        item.put("type", "reasoning");
        item.putArray("summary");
        if (text != null) item.putArray("content").addObject().put("type", "reasoning_text").put("text", text);
        return item;
    }

    /**
     * The freeform input inside the arguments of a custom tool offered as a function ({@code {"input": "..."}}).
     * A model that ignored the schema and sent raw text keeps its text: it is still the best guess at the input.
     */
    static String customInput(String arguments) {
        try {
            JsonNode parsed = Json.parse(arguments);
            if (parsed.isObject() && parsed.path("input").isTextual()) return parsed.get("input").asText();
        } catch (Json.BadJsonException notJson) {
            // fall through: raw text
        }
        return arguments;
    }

    /** Chat {@code finish_reason} → Responses {@code incomplete_details.reason}; null when the response is complete. */
    static String incompleteReason(String finishReason) {
        if (finishReason == null) return null;
        return switch (finishReason) {
            case "length" -> "max_output_tokens";
            case "content_filter" -> "content_filter";
            default -> null;
        };
    }
}
