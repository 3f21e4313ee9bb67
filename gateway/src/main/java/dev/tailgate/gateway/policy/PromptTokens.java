package dev.tailgate.gateway.policy;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one cheap prompt-token estimator: characters of message text / 4, rounded up. Good enough to decide whether a
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
        }
        return n;
    }
}
