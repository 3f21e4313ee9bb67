package dev.tailgate.wire.sse;

/**
 * One Server-Sent Event as it appeared on the wire. {@code event} and {@code id} are null when the event carried
 * none; {@code data} joins multiple {@code data:} lines with {@code \n} (per the SSE spec).
 */
public record SseEvent(String event, String data, String id) {

    public static final String DONE = "[DONE]";

    public static SseEvent data(String data) {
        return new SseEvent(null, data, null);
    }

    /** The OpenAI end-of-stream marker {@code data: [DONE]}. */
    public boolean isDone() {
        return DONE.equals(data) && (event == null || "message".equals(event));
    }

    /** The event type with the SSE default applied. */
    public String type() {
        return event == null ? "message" : event;
    }
}
