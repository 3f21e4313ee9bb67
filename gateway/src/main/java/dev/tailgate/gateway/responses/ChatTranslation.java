package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A Responses request turned into a chat-completions request.
 *
 * @param chatRequest the body to send upstream ({@code model} is still the client's alias; target selection replaces it)
 * @param model       the model id the client asked for, echoed in the response
 * @param stream      whether the client asked for SSE
 * @param tools       how tools were renamed, to map tool calls back
 * @param notes       what was dropped or approximated (e.g. built-in tools the upstream cannot run); for logs, never errors
 */
public record ChatTranslation(ObjectNode chatRequest, String model, boolean stream, ToolNameMap tools, List<String> notes) {
    public ChatTranslation {
        notes = List.copyOf(notes);
    }
}
