package dev.tailgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.upstream.Attempt;
import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseReader;
import dev.tailgate.wire.sse.SseWriter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/**
 * Relays a provider's native SSE stream (Responses, Anthropic Messages) to the client event by event, with the
 * attempt bookkeeping every relay needs (first progress, backpressure, success before the last write). What differs
 * per API is its {@link Format}: how the client stream opens, what each event carries (alias, usage), when the stream
 * is complete, and how a committed stream ends with an error. An upstream that ends before the stream is complete is
 * a cut stream: the client gets the format's error event, never a silent end.
 */
public final class PassthroughSseRelay {
    /** One native stream format; a new instance per relayed stream (it may keep state across events). */
    public interface Format {
        void openStream(HttpServerResponse response);

        /** Reads one upstream event (usage, completion) and returns the event the client gets. */
        SseEvent observe(SseEvent event);

        /** Whether the events seen so far make a complete stream. */
        boolean complete();

        /** The last bytes of a committed stream that failed. */
        Buffer errorEvent(ApiError error);
    }

    private PassthroughSseRelay() {}

    /**
     * An upstream error event ({@code error}, or {@code response.failed} carrying {@code response.error}) is passed on
     * with every JSON string scrubbed of secrets, as non-2xx upstream errors are; other events go through untouched.
     */
    static SseEvent scrubbedIfError(Attempt attempt, SseEvent event) {
        String data = event.data();
        if (data == null || !data.contains("\"error\"")) return event;
        try {
            JsonNode n = Json.parse(data);
            if (!n.has("error") && !n.path("response").has("error")) return event;
            return new SseEvent(event.event(), Json.string(attempt.scrubber().scrubStrings(n)), event.id());
        } catch (RuntimeException notJson) {
            return event;
        }
    }

    /** {@code incomplete}: how the error names an upstream that ended early, e.g. "before message_stop". */
    public static Relay create(Exchange ex, Format format, String incomplete) {
        HttpServerResponse r = ex.response();
        return new Relay() {
            @Override
            public void onResponse(Attempt attempt, Target target, HttpClientResponse resp) {
                SseReader reader = new SseReader(event -> {
                    if (attempt.done() || r.closed()) return;
                    if (!committed()) {
                        commit();
                        ex.ctx().firstToken();
                        attempt.firstProgress();
                        format.openStream(r);
                    } else {
                        attempt.progress();
                    }
                    r.write(SseWriter.encode(format.observe(scrubbedIfError(attempt, event))));
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
                    if (format.complete()) {
                        attempt.succeed(); // before the last write (see ClientRelays.json)
                        ex.endAfterUsageRow(() -> {
                            if (!r.closed() && !r.ended()) r.end();
                        });
                    } else {
                        attempt.fail(ApiError.upstream("provider '" + target.provider() + "' ended the stream " + incomplete), true);
                    }
                });
            }

            @Override
            public void failBeforeCommit(ApiError error) {
                ex.fail(error);
            }

            @Override
            public void abortAfterCommit(ApiError error) {
                Buffer last = format.errorEvent(error);
                ex.endAfterUsageRow(() -> {
                    if (!r.closed() && !r.ended()) r.end(last);
                });
            }
        };
    }
}
