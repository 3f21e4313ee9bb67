package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * An Anthropic Messages request turned into a chat-completions request.
 *
 * @param chatRequest   the body to send upstream ({@code model} is still the client's alias; target selection replaces it)
 * @param model         the model id the client asked for, echoed in the answer
 * @param stream        whether the client asked for SSE
 * @param stopSequences the client's {@code stop_sequences}, to tell {@code stop_sequence} from {@code end_turn}
 * @param notes         what was ignored or approximated (server tools, cache_control, …); for logs, never errors
 */
public record MessagesTranslation(ObjectNode chatRequest, String model, boolean stream, List<String> stopSequences, List<String> notes) {
    public MessagesTranslation {
        stopSequences = List.copyOf(stopSequences);
        notes = List.copyOf(notes);
    }
}
