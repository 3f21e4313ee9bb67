package dev.tailgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import dev.tailgate.wire.sse.SseEvent;
import io.vertx.core.buffer.Buffer;

/**
 * One provider-native SSE format relayed unchanged but for the model (Responses, Anthropic Messages): what each
 * event carries (alias, usage), when the stream is complete, and how a committed stream ends with an error. A new
 * instance per relayed stream (it keeps state across events). See {@link ClientRelays#nativeSse}.
 */
public abstract class NativeSseFormat {
    /** The client's model alias, which replaces the upstream model in the events that name it. */
    protected final String alias;

    protected NativeSseFormat(String alias) {
        this.alias = alias;
    }

    /** Reads one upstream event and returns the event the client gets; an event whose data is not JSON goes through. */
    final SseEvent observe(SseEvent event) {
        JsonNode data;
        try {
            data = Json.parse(event.data());
        } catch (Json.BadJsonException notJson) {
            return event;
        }
        return observe(event, data);
    }

    /** One event with its data parsed: record what it says, return it (or {@link #rewritten} when changed). */
    protected abstract SseEvent observe(SseEvent event, JsonNode data);

    /** Whether the events seen so far make a complete stream. */
    protected abstract boolean complete();

    /** The last bytes of a committed stream that failed. */
    protected abstract Buffer errorEvent(ApiError error);

    /** {@code event} carrying {@code data} as changed by {@link #observe(SseEvent, JsonNode)}. */
    protected static SseEvent rewritten(SseEvent event, JsonNode data) {
        return new SseEvent(event.event(), Json.string(data), event.id());
    }
}
