package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;

/**
 * A chat tool call's {@code arguments} (a JSON string, sometimes an object) as the {@code input} object of a
 * {@code tool_use} block. Arguments that are not a JSON object are kept, not dropped, under {@code "input"}: the
 * client then gets a tool error it can show the model, instead of a call with silently empty arguments.
 */
final class ToolInput {
    private ToolInput() {}

    static ObjectNode parse(JsonNode arguments) {
        if (arguments == null || arguments.isNull()) return Json.object();
        if (arguments.isObject()) return (ObjectNode) arguments;
        String text = arguments.isTextual() ? arguments.asText() : Json.string(arguments);
        return parse(text);
    }

    static ObjectNode parse(String arguments) {
        if (arguments == null || arguments.isBlank()) return Json.object();
        try {
            JsonNode parsed = Json.parse(arguments);
            if (parsed instanceof ObjectNode object) return object;
        } catch (RuntimeException notJson) {
            // fall through: keep the raw text
        }
        return Json.object().put("input", arguments);
    }
}
