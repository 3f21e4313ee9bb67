package dev.tailgate.gateway.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;

/**
 * The one cheap prompt-token estimator: characters of message text, plus the JSON text of the tool definitions and of
 * assistant tool calls (chat templates write them into the prompt as JSON: an agent's tools alone are often tens of
 * kilobytes), / 4, rounded up. Good enough to decide whether a
 * prompt fits a context window and to charge a tokens-per-minute budget before the upstream reports real usage;
 * never used for billing (the ledger uses the upstream's reported usage).
 */
public final class PromptTokens {
    private static final int CHARS_PER_TOKEN = 4;

    private PromptTokens() {}

    /** From a chat completions, responses, embeddings or completions request body. */
    public static long estimate(JsonNode body) {
        if (body == null || !body.isObject()) return 0;
        long chars = 0;
        chars += textChars(body.get("messages"));   // chat completions
        chars += textChars(body.get("input"));      // embeddings, responses, speech
        chars += textChars(body.get("instructions")); // responses
        chars += textChars(body.get("prompt"));     // legacy completions
        chars += jsonChars(body.get("tools"));      // chat, responses and messages tool definitions
        chars += jsonChars(body.get("functions"));  // chat's legacy function definitions
        return fromChars(chars);
    }

    public static long fromChars(long chars) {
        return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    /** Counts the characters of every text value under a node: strings, "content", "text" parts, nested arrays. */
    private static long textChars(JsonNode node) {
        if (node == null || node.isNull()) return 0;
        if (node.isTextual()) return node.textValue().length();
        long n = 0;
        if (node.isArray()) {
            for (JsonNode item : node) n += textChars(item);
        } else if (node.isObject()) {
            n += textChars(node.get("content"));
            n += textChars(node.get("text"));
            n += textChars(node.get("input"));
            n += jsonChars(node.get("tool_calls")); // an assistant turn's calls, arguments included
        }
        return n;
    }

    private static long jsonChars(JsonNode node) {
        return node == null || node.isNull() ? 0 : Json.string(node).length();
    }
}
