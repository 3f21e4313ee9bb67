package dev.tailgate.wire.sse;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental Server-Sent Events parser. Feed it chunks as they arrive from the network, split anywhere (even inside a
 * CRLF pair or a multi-byte UTF-8 character); it calls the listener once per complete event.
 *
 * <p>Follows the WHATWG event-stream rules: lines end with LF, CR or CRLF; {@code :} starts a comment; {@code data:}
 * lines accumulate (joined with LF); a blank line dispatches; a single space after the colon is dropped; an event with
 * no data lines is not dispatched. Lines are decoded as UTF-8 only once complete, so split code points survive.
 * A line longer than {@code maxLineBytes} fails with {@link SseException} instead of growing without bound.
 */
public final class SseReader {
    public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

    private final Consumer<SseEvent> listener;
    private final int maxLineBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private boolean lastWasCr;
    private StringBuilder data;
    private String event;
    private String id;
    private String lastEventId;

    public SseReader(Consumer<SseEvent> listener) {
        this(listener, DEFAULT_MAX_LINE_BYTES);
    }

    public SseReader(Consumer<SseEvent> listener, int maxLineBytes) {
        this.listener = listener;
        this.maxLineBytes = maxLineBytes;
    }

    public void feed(Buffer chunk) {
        feed(chunk.getBytes());
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    public void feed(byte[] bytes, int offset, int length) {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (b == '\n' || b == '\r') {
                if (b == '\n' && lastWasCr) {
                    // second half of a CRLF that the previous byte already ended
                    lastWasCr = false;
                    start = i + 1;
                    continue;
                }
                append(bytes, start, i - start);
                endLine();
                lastWasCr = b == '\r';
                start = i + 1;
            } else {
                lastWasCr = false;
            }
        }
        append(bytes, start, end - start);
    }

    /**
     * The stream ended. Per the spec an unterminated last event is discarded; returns true when such partial input
     * was pending (the caller may treat that as a truncated stream).
     */
    public boolean finish() {
        boolean partial = line.size() > 0 || data != null;
        line.reset();
        data = null;
        event = null;
        return partial;
    }

    /** The last {@code id:} seen, as a reconnecting client would send in {@code Last-Event-ID}. */
    public String lastEventId() {
        return lastEventId;
    }

    private void append(byte[] bytes, int from, int len) {
        if (len <= 0) return;
        if (line.size() + len > maxLineBytes) {
            line.reset();
            throw new SseException("SSE line longer than " + maxLineBytes + " bytes");
        }
        line.write(bytes, from, len);
    }

    private void endLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') return; // comment (often a keep-alive)
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) value = value.substring(1);
        switch (field) {
            case "data" -> {
                if (data == null) data = new StringBuilder(value.length());
                else data.append('\n');
                data.append(value);
            }
            case "event" -> event = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) id = value;
            }
            default -> { /* "retry" and unknown fields are ignored */ }
        }
    }

    private void dispatch() {
        if (id != null) lastEventId = id;
        if (data != null) {
            listener.accept(new SseEvent(event, data.toString(), id));
        }
        data = null;
        event = null;
        id = null;
    }

    /** The stream broke a limit or rule; the caller ends the stream with an error. */
    public static final class SseException extends RuntimeException {
        public SseException(String message) {
            super(message, null, false, false);
        }
    }
}
