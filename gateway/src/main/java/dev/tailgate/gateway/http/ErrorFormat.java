package dev.tailgate.gateway.http;

import dev.tailgate.wire.ApiError;

/**
 * How a refusal is written to the client: status, body and {@code Retry-After}. OpenAI's shape by default; a feature
 * package serving another API (e.g. Anthropic's {@code /v1/messages}) registers its own through
 * {@link RouteRegistry#errorFormat}, so that even the router's own refusals (401, 404, 413) reach its clients in the
 * shape their SDKs parse.
 */
@FunctionalInterface
public interface ErrorFormat {
    ErrorFormat OPENAI = e -> new Rendered(e.status(), e.toBytes(), e.retryAfterHeader());

    Rendered render(ApiError error);

    /** {@code retryAfter}: seconds for the header, or null for none. */
    record Rendered(int status, byte[] body, String retryAfter) {}
}
