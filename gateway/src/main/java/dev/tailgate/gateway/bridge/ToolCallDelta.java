package dev.tailgate.gateway.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.util.function.ToIntFunction;

/**
 * The fragments of one streamed chat tool call ({@code delta.tool_calls[i]}): which call it continues, and the id,
 * name and argument text it carries. Parallel calls and arguments split over many chunks are told apart by the call's
 * {@code index}; one {@code ToolCallDelta} per stream remembers the highest index seen for deltas that carry none.
 */
public final class ToolCallDelta {
    private int lastIndex = -1;

    /**
     * The index of the call this delta continues. A delta without one (some OpenAI-compatible servers omit it) is
     * the call with the same id if there is one ({@code indexOfId}: the index of a known call id, or -1), a new
     * call when it brings a new id, otherwise the call being streamed.
     */
    public int index(JsonNode call, int position, ToIntFunction<String> indexOfId) {
        int index;
        if (call.path("index").isIntegralNumber()) index = call.get("index").asInt();
        else if (call.hasNonNull("id")) {
            int known = indexOfId.applyAsInt(call.get("id").asText());
            index = known >= 0 ? known : Math.max(lastIndex + 1, position);
        } else index = Math.max(lastIndex, 0);
        lastIndex = Math.max(lastIndex, index);
        return index;
    }

    /** The call id this delta carries (non-empty), or null. */
    public static String id(JsonNode call) {
        return call.hasNonNull("id") && !call.get("id").asText().isEmpty() ? call.get("id").asText() : null;
    }

    /** The function name this delta carries (non-empty), or null. */
    public static String name(JsonNode call) {
        JsonNode function = call.path("function");
        return function.hasNonNull("name") && !function.get("name").asText().isEmpty() ? function.get("name").asText() : null;
    }

    /** The argument text this delta carries, or null. Some upstreams send a JSON object instead of a string: kept. */
    public static String arguments(JsonNode call) {
        JsonNode rawArgs = call.path("function").get("arguments");
        return rawArgs == null || rawArgs.isNull() ? null : rawArgs.isTextual() ? rawArgs.asText() : Json.string(rawArgs);
    }
}
