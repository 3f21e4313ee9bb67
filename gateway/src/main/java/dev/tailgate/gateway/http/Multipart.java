package dev.tailgate.gateway.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Just enough multipart/form-data to find one small text field (the {@code model}) in the bytes and replace its value. */
final class Multipart {
    private Multipart() {}

    /** A field's value at {@code [start, end)} of the body. */
    record Field(int start, int end, String value) {
        byte[] replace(byte[] body, String newValue) {
            byte[] v = newValue.getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[body.length - (end - start) + v.length];
            System.arraycopy(body, 0, out, 0, start);
            System.arraycopy(v, 0, out, start, v.length);
            System.arraycopy(body, end, out, start + v.length, body.length - end);
            return out;
        }
    }

    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) return null;
        for (String part : contentType.split(";")) {
            String p = part.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring(9).trim();
                if (b.startsWith("\"") && b.endsWith("\"") && b.length() >= 2) b = b.substring(1, b.length() - 1);
                return b.isEmpty() ? null : b;
            }
        }
        return null;
    }

    /**
     * Finds the text field {@code name} within the first {@code length} bytes; null when it is not (yet) complete there.
     * Only part headers are searched (a file part's content is skipped over), so file bytes cannot fake a field.
     */
    static Field findField(byte[] body, int length, String boundary, String name) {
        byte[] delim = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, length, delim, 0);
        while (at >= 0) {
            int headersStart = at + delim.length + 2; // skip CRLF after the boundary
            if (headersStart > length) return null;
            int headersEnd = indexOf(body, length, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            if (headersEnd < 0) return null;
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            int valueStart = headersEnd + 4;
            int valueEnd = indexOf(body, length, next, valueStart);
            if (valueEnd < 0) return null;
            if (headers.contains("name=\"" + name + "\"") && !headers.contains("filename=")) {
                return new Field(valueStart, valueEnd, new String(body, valueStart, valueEnd - valueStart, StandardCharsets.UTF_8).trim());
            }
            at = valueEnd + 2;
        }
        return null;
    }

    static int indexOf(byte[] hay, int length, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
