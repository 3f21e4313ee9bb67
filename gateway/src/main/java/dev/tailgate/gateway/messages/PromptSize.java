package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.policy.PromptTokens;
import dev.tailgate.wire.Json;

/**
 * The prompt-size estimate of a Messages request, by the gateway's one estimator ({@link PromptTokens}, the number
 * routing checks context windows and budgets with): the text of {@code messages} plus the {@code system} prompt and
 * the tool definitions.
 * {@code POST /v1/messages/count_tokens} answers with exactly this number.
 */
final class PromptSize {
    private PromptSize() {}

    static long estimate(JsonNode messagesRequest) {
        ObjectNode projection = Json.object();
        if (messagesRequest.has("messages")) projection.set("messages", messagesRequest.get("messages"));
        if (messagesRequest.has("system")) projection.set("instructions", messagesRequest.get("system"));
        if (messagesRequest.has("tools")) projection.set("tools", messagesRequest.get("tools"));
        return PromptTokens.estimate(projection);
    }
}
