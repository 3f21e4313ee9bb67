package dev.tailgate.wire.sse;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes Server-Sent Events. Always writes LF line endings and one {@code data:} line per line of data, so data
 * containing newlines (or CR) round-trips through {@link SseReader}.
 */
public final class SseWriter {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

    private SseWriter() {}

    public static Buffer encode(SseEvent e) {
        Buffer out = Buffer.buffer(e.data().length() + 32);
        if (e.id() != null) out.appendString("id: ").appendString(e.id()).appendByte((byte) '\n');
        if (e.event() != null) out.appendString("event: ").appendString(e.event()).appendByte((byte) '\n');
        String d = e.data();
        int start = 0;
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            if (c == '\n' || c == '\r') {
                out.appendBytes(DATA).appendString(d.substring(start, i)).appendByte((byte) '\n');
                if (c == '\r' && i + 1 < d.length() && d.charAt(i + 1) == '\n') i++;
                start = i + 1;
            }
        }
        out.appendBytes(DATA).appendString(d.substring(start)).appendString("\n\n");
        return out;
    }

    /** {@code event: error} followed by the JSON error body, the way a failed stream ends (no [DONE] after it). */
    public static Buffer error(byte[] errorJson) {
        return Buffer.buffer(errorJson.length + 24).appendString("event: error\n").appendBytes(DATA).appendBytes(errorJson).appendString("\n\n");
    }

    public static Buffer done() {
        return DONE.copy();
    }
}
