package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.upstream.Attempt;
import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseReader;
import dev.tailgate.wire.sse.SseWriter;
import io.vertx.core.http.HttpClientResponse;
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
        HttpServerResponse r = ex.response();
        String alias = ex.ctx().model();
        return new Relay() {
            private boolean terminal;

            @Override
            public void onResponse(Attempt attempt, Target target, HttpClientResponse resp) {
                SseReader reader = new SseReader(event -> {
                    if (attempt.done() || r.closed()) return;
                    if (!committed()) {
                        commit();
                        ex.ctx().firstToken();
                        attempt.firstProgress();
                        ResponsesEndpoint.openStream(r);
                    } else {
                        attempt.progress();
                    }
                    r.write(SseWriter.encode(withAlias(event)));
                    if (r.writeQueueFull()) {
                        resp.pause();
                        r.drainHandler(v -> resp.resume());
                    }
                });
                resp.handler(buf -> {
                    if (!attempt.accept(buf)) return;
                    try {
                        reader.feed(buf);
                    } catch (SseReader.SseException e) {
                        attempt.fail(ApiError.upstream("provider '" + target.provider() + "' sent a malformed stream"), true);
                    }
                });
                resp.endHandler(v -> {
                    if (attempt.done()) return;
                    reader.finish();
                    if (terminal) {
                        attempt.succeed(); // before the last write (see ClientRelays.json)
                        ex.endAfterUsageRow(() -> {
                            if (!r.closed() && !r.ended()) r.end();
                        });
                    } else {
                        attempt.fail(ApiError.upstream("provider '" + target.provider() + "' ended the stream before it was complete"), true);
                    }
                });
            }

            private SseEvent withAlias(SseEvent event) {
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
            public void failBeforeCommit(ApiError error) {
                ex.fail(error);
            }

            @Override
            public void abortAfterCommit(ApiError error) {
                ex.endAfterUsageRow(() -> {
                    if (!r.closed() && !r.ended()) r.end(SseWriter.error(error.toBytes()));
                });
            }
        };
    }
}
