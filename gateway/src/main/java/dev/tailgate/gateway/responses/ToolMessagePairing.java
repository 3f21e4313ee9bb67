package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes a translated history acceptable to strict chat upstreams, which refuse (400) an assistant {@code tool_calls}
 * message not followed by a {@code tool} message for each call, and a {@code tool} message that answers no call.
 * Responses histories can contain both: a call whose output never came (interrupted turn), or an output whose call
 * was an item the bridge had to drop (e.g. history from a native OpenAI session). Missing outputs get a placeholder;
 * stray outputs become user messages so their content is not lost.
 */
final class ToolMessagePairing {
    static final String MISSING_OUTPUT = "(no output was recorded for this tool call)";

    private ToolMessagePairing() {}

    static ArrayNode repair(ArrayNode messages, List<String> notes) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        Set<String> open = new LinkedHashSet<>(); // calls of the last assistant message still waiting for output
        for (JsonNode message : messages) {
            String role = message.path("role").asText();
            if ("tool".equals(role)) {
                String id = message.path("tool_call_id").asText();
                if (open.remove(id)) {
                    out.add(message);
                } else {
                    notes.add("tool output for unknown call '" + id + "' sent as a user message");
                    ObjectNode user = out.addObject();
                    user.put("role", "user");
                    user.put("content", "Tool output (call " + id + "):\n" + message.path("content").asText(""));
                }
                continue;
            }
            closeOpen(open, out, notes);
            out.add(message);
            for (JsonNode call : message.path("tool_calls")) open.add(call.path("id").asText());
        }
        closeOpen(open, out, notes);
        return out;
    }

    private static void closeOpen(Set<String> open, ArrayNode out, List<String> notes) {
        for (String id : open) {
            notes.add("tool call '" + id + "' had no output; a placeholder was added");
            ObjectNode tool = out.addObject();
            tool.put("role", "tool");
            tool.put("tool_call_id", id);
            tool.put("content", MISSING_OUTPUT);
        }
        open.clear();
    }
}
