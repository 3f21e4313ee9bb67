package dev.tailgate.gateway.config;

import java.net.URI;
import java.time.Duration;

/**
 * One upstream provider. {@code apiKey} is null when none is configured (no Authorization header is sent);
 * {@code keyProblem} explains why a configured key could not be resolved (the provider is then unusable, reported
 * as down in /status, but the rest of the gateway still starts). {@code responsesApi}: the provider serves
 * {@code /v1/responses} natively, so the Responses bridge may pass requests through unchanged; {@code messagesApi}:
 * likewise for Anthropic's {@code /v1/messages} (an Anthropic-compatible upstream). {@code maxResponse}:
 * the most bytes one upstream answer may have (a runaway upstream must not exhaust the gateway's memory).
 * {@code maxConcurrency}/{@code maxQueue}/{@code queueTimeout}: the provider's limiter (at most that many requests in
 * flight, that many waiting, each waiting at most that long).
 */
public record ProviderConfig(String name, URI baseUrl, Secret apiKey, String keyProblem, boolean local,
                             int maxConcurrency, int maxQueue, Duration queueTimeout, Duration timeout, Duration firstTokenTimeout,
                             Duration idleTimeout, boolean responsesApi, boolean messagesApi, long maxResponse) {

    /** The upstream URL for an OpenAI path below {@code /v1}, e.g. {@code "/chat/completions"}. */
    public String url(String pathBelowV1) {
        String base = baseUrl.toString();
        if (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        return base + pathBelowV1;
    }
}
