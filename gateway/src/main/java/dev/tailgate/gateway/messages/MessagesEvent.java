package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.nio.charset.StandardCharsets;

/** One Messages streaming event; {@code data} carries {@code type} first, as Anthropic's stream does. */
public record MessagesEvent(String type, ObjectNode data) {

    /** The SSE frame: {@code event: <type>\ndata: <json>\n\n} (the JSON is single-line, so one data line). */
    public String toSse() {
        return "event: " + type + "\ndata: " + Json.string(data) + "\n\n";
    }

    public byte[] toSseBytes() {
        return toSse().getBytes(StandardCharsets.UTF_8);
    }
}
