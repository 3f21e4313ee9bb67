package dev.tailgate.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseReader;
import io.vertx.core.http.HttpClientResponse;
import java.util.function.BooleanSupplier;

/**
 * Reads a provider's native SSE stream (Responses, Anthropic Messages) event by event. An error event
 * ({@code error}, or {@code response.failed} carrying {@code response.error}) is passed on with every JSON string
 * scrubbed of secrets, as non-2xx upstream errors are; other events go through untouched. When the upstream ends,
 * {@code complete} (the sink's reading of the events so far) decides: complete, or a cut stream that fails.
 */
public final class NativeSseReader implements Relay.Reader<SseEvent> {
    private final BooleanSupplier complete;
    private final String incomplete;

    /** {@code incomplete}: how the error names an upstream that ended early, e.g. "before message_stop". */
    public NativeSseReader(BooleanSupplier complete, String incomplete) {
        this.complete = complete;
        this.incomplete = incomplete;
    }

    @Override
    public void read(HttpClientResponse response, Relay.Feed<SseEvent> feed) {
        SseReader reader = new SseReader(event -> {
            if (!feed.done()) feed.piece(scrubbedIfError(feed.scrubber(), event));
        });
        response.handler(buf -> {
            if (!feed.accept(buf)) return;
            try {
                reader.feed(buf);
            } catch (SseReader.SseException e) {
                feed.fail("sent a malformed stream", true);
                return;
            }
            feed.endOfRead();
        });
        response.endHandler(v -> {
            if (feed.done()) return;
            reader.finish();
            if (complete.getAsBoolean()) feed.end();
            else feed.fail("ended the stream " + incomplete, true);
        });
    }

    static SseEvent scrubbedIfError(SecretScrubber scrubber, SseEvent event) {
        String data = event.data();
        if (data == null || !data.contains("\"error\"")) return event;
        try {
            JsonNode n = Json.parse(data);
            if (!n.has("error") && !n.path("response").has("error")) return event;
            return new SseEvent(event.event(), Json.string(scrubber.scrubStrings(n)), event.id());
        } catch (RuntimeException notJson) {
            return event;
        }
    }
}
