package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.http.ClientRelays;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.http.NativeSseFormat;
import dev.tailgate.gateway.http.OpenAiRoutes;
import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.gateway.upstream.UpstreamBody;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.sse.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * {@code /v1/messages} unchanged (only {@code model} rewritten per target) to providers with {@code messages_api: true},
 * through the OpenAI routes' forward: the same target order, privacy, limits, fallback before the first byte, timeouts
 * and ledger as chat requests. An Anthropic upstream also needs {@code anthropic-version} (the client's, or
 * {@value #DEFAULT_VERSION}), the client's {@code anthropic-beta} flags, and the provider key as {@code x-api-key}.
 */
final class MessagesPassthrough {
    static final String DEFAULT_VERSION = "2023-06-01";

    private final Gateway gateway;
    private final OpenAiRoutes openAi;

    MessagesPassthrough(Gateway gateway, OpenAiRoutes openAi) {
        this.gateway = gateway;
        this.openAi = openAi;
    }

    void forward(Exchange ex, String alias, Buffer raw, boolean stream) {
        String version = header(ex, "anthropic-version", DEFAULT_VERSION);
        String beta = header(ex, "anthropic-beta", null);
        openAi.forward(ex, "/messages", alias, raw, (t, body) -> {
            ProviderConfig provider = gateway.config().providers().get(t.provider());
            String key = provider == null || provider.apiKey() == null ? null : provider.apiKey().reveal();
            return withHeaders(body, version, beta, key);
        }, stream ? sse(ex) : ClientRelays.json(ex, alias));
    }

    private static String header(Exchange ex, String name, String fallback) {
        String value = ex.request().getHeader(name);
        // Only header-safe text travels on (a control character would let a client inject upstream headers).
        return value == null || value.isBlank() || !value.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? fallback : value;
    }

    private static UpstreamBody withHeaders(UpstreamBody body, String version, String beta, String key) {
        return new UpstreamBody() {
            public String contentType() { return body.contentType(); }

            public Future<HttpClientResponse> sendOn(HttpClientRequest request) {
                request.putHeader("anthropic-version", version);
                if (beta != null) request.putHeader("anthropic-beta", beta);
                if (key != null) request.putHeader("x-api-key", key);
                return body.sendOn(request);
            }

            public boolean resendable() { return body.resendable(); }
        };
    }

    /**
     * Relays a native Messages stream event by event. Complete once {@code message_stop} went through; an upstream that
     * ends before it is a cut stream and the client gets an {@code error} event, never a silent end. The model in
     * {@code message_start} is replaced by the client's alias; usage is read from {@code message_start} (input) and
     * {@code message_delta} (output) for the ledger.
     */
    private static Relay<SseEvent> sse(Exchange ex) {
        return ClientRelays.nativeSse(ex, new Format(ex.ctx()), "before message_stop");
    }

    private static final class Format extends NativeSseFormat {
        private final RequestContext ctx;
        private boolean stopped;
        private long input;
        private long output;

        Format(RequestContext ctx) {
            super(ctx.model());
            this.ctx = ctx;
        }

        @Override
        protected SseEvent observe(SseEvent event, JsonNode data) {
            String type = data.path("type").asText();
            if (type.equals("message_stop")) stopped = true;
            if (type.equals("message_start")) input = data.path("message").path("usage").path("input_tokens").asLong(input);
            if (type.equals("message_delta")) {
                output = data.path("usage").path("output_tokens").asLong(output);
                input = data.path("usage").path("input_tokens").asLong(input);
            }
            if (type.equals("message_start") || type.equals("message_delta")) ctx.usage(input, output);
            if (type.equals("message_start") && data.path("message").path("model").isTextual() && alias != null) {
                ((ObjectNode) data.get("message")).put("model", alias);
                return rewritten(event, data);
            }
            return event;
        }

        @Override
        protected boolean complete() {
            return stopped;
        }

        @Override
        protected Buffer errorEvent(ApiError error) {
            return Buffer.buffer(new MessagesEvent("error", AnthropicErrors.body(error)).toSseBytes());
        }
    }
}
