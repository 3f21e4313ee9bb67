package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.http.ClientRelays;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.http.NativeSseFormat;
import dev.tailgate.gateway.ledger.UsageFields;
import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseWriter;
import io.vertx.core.buffer.Buffer;
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

    static Relay<SseEvent> sse(Exchange ex) {
        return ClientRelays.nativeSse(ex, new Format(ex.ctx()), "before it was complete");
    }

    /** Complete after a terminal event; the upstream model inside {@code response} objects becomes the alias. */
    private static final class Format extends NativeSseFormat {
        private final RequestContext ctx;
        private boolean terminal;

        Format(RequestContext ctx) {
            super(ctx.model());
            this.ctx = ctx;
        }

        @Override
        protected SseEvent observe(SseEvent event, JsonNode data) {
            if (TERMINAL.contains(data.path("type").asText())) {
                terminal = true;
                UsageFields.capture(ctx, data); // response.usage, for the ledger
            }
            if (data.path("response").path("model").isTextual() && alias != null) {
                ((ObjectNode) data.get("response")).put("model", alias);
                return rewritten(event, data);
            }
            return event;
        }

        @Override
        protected boolean complete() {
            return terminal;
        }

        @Override
        protected Buffer errorEvent(ApiError error) {
            return SseWriter.error(error.toBytes());
        }
    }
}
