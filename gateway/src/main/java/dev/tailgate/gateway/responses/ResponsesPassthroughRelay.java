package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.http.PassthroughSseRelay;
import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseWriter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.Set;

/**
 * Relays a native Responses SSE stream (provider with {@code responses_api: true}) to the client event by event.
 * Unlike chat streams it has no {@code [DONE]}: it is complete once a terminal event ({@code response.completed},
 * {@code response.incomplete}, {@code response.failed}) went through; an upstream that ends before that is a cut
 * stream and the client gets an {@code error} event, never a silent end. The upstream model inside
 * {@code response} objects is replaced by the client's alias, as the chat relay does for chat chunks.
 */
final class ResponsesPassthroughRelay {
    private static final Set<String> TERMINAL = Set.of("response.completed", "response.incomplete", "response.failed");

    private ResponsesPassthroughRelay() {}

    static Relay sse(Exchange ex) {
        return PassthroughSseRelay.create(ex, new Format(ex), "before it was complete");
    }

    /** Complete after a terminal event; the upstream model inside {@code response} objects becomes the alias. */
    private static final class Format implements PassthroughSseRelay.Format {
        private final Exchange ex;
        private final String alias;
        private boolean terminal;

        Format(Exchange ex) {
            this.ex = ex;
            this.alias = ex.ctx().model();
        }

        @Override
        public void openStream(HttpServerResponse response) {
            ResponsesEndpoint.openStream(response);
        }

        @Override
        public SseEvent observe(SseEvent event) {
            JsonNode data;
            try {
                data = Json.parse(event.data());
            } catch (Json.BadJsonException notJson) {
                return event;
            }
            if (TERMINAL.contains(data.path("type").asText())) {
                terminal = true;
                dev.tailgate.gateway.ledger.UsageFields.capture(ex.ctx(), data); // response.usage, for the ledger
            }
            if (data.path("response").path("model").isTextual() && alias != null) {
                ((ObjectNode) data.get("response")).put("model", alias);
                return new SseEvent(event.event(), Json.string(data), event.id());
            }
            return event;
        }

        @Override
        public boolean complete() {
            return terminal;
        }

        @Override
        public Buffer errorEvent(ApiError error) {
            return SseWriter.error(error.toBytes());
        }
    }
}
