package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.nio.charset.StandardCharsets;

/** One Responses streaming event; {@code data} already carries {@code type} and {@code sequence_number}. */
public record ResponsesEvent(String type, ObjectNode data) {

    /** The SSE frame: {@code event: <type>\ndata: <json>\n\n} (the JSON is single-line, so one data line). */
    public String toSse() {
        return "event: " + type + "\ndata: " + Json.string(data) + "\n\n";
    }

    public byte[] toSseBytes() {
        return toSse().getBytes(StandardCharsets.UTF_8);
    }

    public int sequenceNumber() {
        return data.path("sequence_number").asInt(-1);
    }
}
