package dev.tailgate.gateway.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.ApiError;

/** Reading chat completions and their stream chunks the way both bridges need it. */
public final class ChatMessage {
    private ChatMessage() {}

    /** The choice with index 0 (the bridges answer with one), or null. */
    public static JsonNode firstChoice(JsonNode choices) {
        if (!choices.isArray() || choices.isEmpty()) return null;
        for (JsonNode choice : choices) if (choice.path("index").asInt(0) == 0) return choice;
        return null;
    }

    /** A string member of a stream delta, or null. */
    public static String textOf(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /** A delta's reasoning text: {@code reasoning_content} (llama.cpp, DeepSeek) or {@code reasoning} (others). */
    public static String reasoningDelta(JsonNode delta) {
        String r = textOf(delta, "reasoning_content");
        return r != null ? r : textOf(delta, "reasoning");
    }

    /** A whole message's reasoning text, as {@link #reasoningDelta} reads it, parts included. */
    public static String reasoning(JsonNode message) {
        String r = text(message.get("reasoning_content"));
        return r != null ? r : text(message.get("reasoning"));
    }

    /** Message content as text: a string, or the text parts of an array (some upstreams answer with parts). */
    public static String text(JsonNode content) {
        if (content == null || content.isNull()) return null;
        if (content.isTextual()) return content.asText();
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) if (part.path("text").isTextual()) sb.append(part.get("text").asText());
            return sb.toString();
        }
        return null;
    }

    /** The error a chunk carries instead of a delta ({@code {"error": {...}}}), or null. */
    public static ApiError errorIn(JsonNode chunk) {
        JsonNode error = chunk.get("error");
        if (error == null || !error.isObject()) return null;
        return new ApiError(502, "api_error", error.path("code").asText("upstream_error"),
                "Upstream error: " + error.path("message").asText("unknown"), null, null);
    }
}
