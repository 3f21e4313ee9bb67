package dev.tailgate.gateway.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.wire.Json;

/**
 * Reads token usage out of an upstream answer into the request's context, in one place for every shape the gateway
 * relays: chat completions and embeddings ({@code usage.prompt_tokens/completion_tokens}), the final usage chunk of a
 * chat stream, and Responses objects/events ({@code usage.input_tokens/output_tokens}, also under {@code response}).
 */
public final class UsageFields {
    private UsageFields() {}

    /** Records the usage in {@code node} (if any) on {@code ctx}; true when some was found. */
    public static boolean capture(RequestContext ctx, JsonNode node) {
        if (node == null) return false;
        JsonNode u = node.get("usage");
        if ((u == null || !u.isObject()) && node.path("response").isObject()) u = node.get("response").get("usage");
        if (u == null || !u.isObject()) return false;
        long prompt = first(u, "prompt_tokens", "input_tokens");
        long completion = first(u, "completion_tokens", "output_tokens");
        if (prompt < 0 && completion < 0) return false;
        ctx.usage(Math.max(0, prompt), Math.max(0, completion));
        return true;
    }

    /** As {@link #capture(RequestContext, JsonNode)} for raw JSON bytes; parses only when the text mentions usage. */
    public static boolean capture(RequestContext ctx, byte[] json) {
        if (json == null || !contains(json, "\"usage\"")) return false;
        try {
            return capture(ctx, Json.parse(json));
        } catch (RuntimeException notJson) {
            return false;
        }
    }

    /** A stream chunk that carries only usage (no choices): what {@code include_usage} adds at the end of a stream. */
    public static boolean usageOnlyChunk(JsonNode chunk) {
        JsonNode choices = chunk.get("choices");
        JsonNode usage = chunk.get("usage");
        return usage != null && usage.isObject() && (choices == null || (choices.isArray() && choices.isEmpty()));
    }

    private static long first(JsonNode u, String a, String b) {
        JsonNode v = u.get(a);
        if (v == null || !v.canConvertToLong()) v = u.get(b);
        return v != null && v.canConvertToLong() ? v.asLong() : -1;
    }

    /** Whether {@code needle} (ASCII) occurs in {@code hay}: a cheap test before parsing a chunk. */
    public static boolean contains(byte[] hay, String needle) {
        byte[] n = needle.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= hay.length; i++) {
            for (int j = 0; j < n.length; j++) if (hay[i + j] != n[j]) continue outer;
            return true;
        }
        return false;
    }
}
