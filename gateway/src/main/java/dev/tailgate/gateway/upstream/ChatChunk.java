package dev.tailgate.gateway.upstream;

import dev.tailgate.wire.JsonSplice;
import dev.tailgate.wire.sse.SseEvent;

/**
 * One chat-completions stream chunk as {@link ChatSseReader} read it: the JSON bytes exactly as the upstream sent them
 * and where its top-level {@code model} sits. One instance per stream, refilled for every chunk (no allocation per
 * chunk): a sink must not keep it beyond {@link Relay.Sink#deliver}.
 */
public final class ChatChunk {
    private SseEvent event;
    private byte[] json;
    private JsonSplice.Span model;

    void set(SseEvent event, byte[] json, JsonSplice.Span model) {
        this.event = event;
        this.json = json;
        this.model = model;
    }

    /** The SSE event name, or null for a plain {@code data:} event. */
    public String eventName() { return event.event(); }
    public byte[] json() { return json; }
    /** The top-level {@code model} value's span in {@link #json()}; its start is -1 when the chunk has none. */
    public JsonSplice.Span model() { return model; }
}
