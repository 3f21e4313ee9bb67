package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.config.Capability;
import java.util.Objects;

/**
 * What the policy knows about one incoming request: nothing of its text, only the facts routing depends on.
 *
 * @param clientPrivate         the client's {@code private: true}
 * @param headerPrivate         the {@code X-Tailgate-Private} header said private ({@link Privacy#headerSaysPrivate})
 * @param capability            what the request needs (chat for chat completions and responses, ...)
 * @param estimatedPromptTokens from {@link PromptTokens#estimate}; 0 when unknown
 */
public record RouteRequest(String requestId, String client, boolean clientPrivate, boolean headerPrivate,
                           String modelAlias, Capability capability, long estimatedPromptTokens) {
    public RouteRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(modelAlias, "modelAlias");
        if (capability == null) capability = Capability.CHAT;
        if (estimatedPromptTokens < 0) estimatedPromptTokens = 0;
    }
}
