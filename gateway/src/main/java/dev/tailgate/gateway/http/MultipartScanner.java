package dev.tailgate.gateway.http;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.ModelNames;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Printable;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A streaming multipart/form-data parser (RFC 7578 / RFC 2046) for the upload routes: it is fed the body as it
 * arrives, holds only a part's headers and the {@code model} value (never a file), and knows the byte offsets of the
 * {@code model} value so the route can rewrite it to the configured upstream model.
 *
 * <p>A part's name is the {@code name} parameter of its one {@code Content-Disposition} header — not any other header
 * that happens to contain {@code name="model"}, and compared case-sensitively (RFC 7578 §4.2). Refused with 400, because
 * the gateway and the provider could read them differently: more than one {@code model} part; a part named like
 * {@code model} in another case; a part without exactly one {@code Content-Disposition: form-data; name=…}; a
 * {@code model} value over 256 bytes; a body that is not multipart or ends before its closing delimiter.
 */
final class MultipartScanner {
    static final String MODEL = "model";
    private static final int MAX_HEADERS = 16 * 1024;
    private static final int MAX_MODEL = 256;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    private enum State { PREAMBLE, AFTER_DELIMITER, HEADERS, CONTENT, EPILOGUE }

    /** The model value at {@code [start, end)} of the body (absolute byte offsets). */
    record Field(long start, long end, String value) {
        /** {@code head} (the body's first bytes, covering this field) with the value replaced. */
        byte[] replace(byte[] head, String newValue) {
            byte[] v = newValue.getBytes(StandardCharsets.UTF_8);
            int s = (int) start, e = (int) end;
            byte[] out = new byte[head.length - (e - s) + v.length];
            System.arraycopy(head, 0, out, 0, s);
            System.arraycopy(v, 0, out, s, v.length);
            System.arraycopy(head, e, out, s + v.length, head.length - e);
            return out;
        }
    }

    private final byte[] firstDelimiter;
    private final byte[] delimiter;
    private State state = State.PREAMBLE;
    private byte[] pending = new byte[0];
    private long base; // absolute offset of pending[0]
    private boolean inModel;
    private long modelStart;
    private final ByteArrayOutputStream modelValue = new ByteArrayOutputStream();
    private Field model;
    private int modelParts;

    MultipartScanner(String boundary) {
        this.firstDelimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The boundary of a {@code multipart/form-data} content type (RFC 2046: 1–70 characters), else null. */
    static String boundary(String contentType) {
        if (contentType == null) return null;
        List<String> params = splitParams(contentType);
        if (!params.getFirst().trim().toLowerCase(Locale.ROOT).equals("multipart/form-data")) return null;
        String b = parameters(params).get("boundary");
        return b == null || b.isEmpty() || b.length() > 70 ? null : b;
    }

    /** The complete model field, once its value has been read; null before. */
    Field model() {
        return model;
    }

    /** Parses the next bytes of the body; throws a 400 {@link ApiException} at the first violation. */
    void feed(byte[] bytes) {
        if (state == State.EPILOGUE) return;
        byte[] all = Arrays.copyOf(pending, pending.length + bytes.length);
        System.arraycopy(bytes, 0, all, pending.length, bytes.length);
        pending = all;
        int at = 0;
        while (state != State.EPILOGUE) {
            int next = step(at); // every state change consumes bytes: no progress means more bytes are needed
            if (next == at) break;
            at = next;
        }
        base += at;
        pending = Arrays.copyOfRange(pending, at, pending.length);
        if (state == State.PREAMBLE && base + pending.length > MAX_HEADERS) {
            throw bad("request body is not multipart/form-data with the declared boundary");
        }
    }

    /** The body ended: it must have been complete and held a model part. */
    void finish() {
        if (state != State.EPILOGUE) throw bad("multipart body ended before its closing boundary");
        if (model == null) throw new ApiException(ApiError.badRequest("you must provide a 'model' form field", MODEL));
    }

    /** One step from {@code at}; returns the new position (== at when more bytes are needed). */
    private int step(int at) {
        switch (state) {
            case PREAMBLE -> {
                // the first delimiter may open the body or follow a preamble line
                if (base == 0 && at == 0 && startsWith(pending, 0, firstDelimiter)) {
                    state = State.AFTER_DELIMITER;
                    return firstDelimiter.length;
                }
                if (base == 0 && at == 0 && pending.length < firstDelimiter.length && startsWith(firstDelimiter, 0, pending)) return at;
                int d = indexOf(pending, delimiter, at);
                if (d < 0) return Math.max(at, pending.length - delimiter.length + 1);
                state = State.AFTER_DELIMITER;
                return d + delimiter.length;
            }
            case AFTER_DELIMITER -> {
                if (pending.length - at < 2) return at;
                if (pending[at] == '-' && pending[at + 1] == '-') {
                    state = State.EPILOGUE;
                    return pending.length;
                }
                int p = at;
                while (p < pending.length && (pending[p] == ' ' || pending[p] == '\t')) p++;
                if (pending.length - p < 2) return at;
                if (!startsWith(pending, p, CRLF)) throw bad("malformed multipart boundary line");
                state = State.HEADERS;
                return p + 2;
            }
            case HEADERS -> {
                if (startsWith(pending, at, CRLF)) throw bad("a multipart part has no Content-Disposition header");
                int end = indexOf(pending, HEADERS_END, at);
                if (end < 0) {
                    if (pending.length - at > MAX_HEADERS) throw bad("multipart part headers are too large");
                    return at;
                }
                startPart(new String(pending, at, end - at, StandardCharsets.UTF_8), base + end + 4);
                state = State.CONTENT;
                return end + 4;
            }
            case CONTENT -> {
                int d = indexOf(pending, delimiter, at);
                int contentEnd = d < 0 ? Math.max(at, pending.length - delimiter.length + 1) : d;
                if (inModel) {
                    modelValue.write(pending, at, contentEnd - at);
                    if (modelValue.size() > MAX_MODEL) throw new ApiException(ApiError.badRequest("'model' is longer than " + MAX_MODEL + " bytes", MODEL));
                }
                if (d < 0) return contentEnd;
                if (inModel) {
                    inModel = false;
                    String v = modelValue.toString(StandardCharsets.UTF_8);
                    ModelNames.require(v);
                    model = new Field(modelStart, base + d, v);
                }
                state = State.AFTER_DELIMITER;
                return d + delimiter.length;
            }
            default -> {
                return pending.length;
            }
        }
    }

    private void startPart(String headerBlock, long contentStart) {
        String disposition = null;
        for (String line : headerBlock.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) throw bad("malformed multipart part header");
            if (line.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                if (disposition != null) throw bad("a multipart part has more than one Content-Disposition header");
                disposition = line.substring(colon + 1);
            }
        }
        if (disposition == null) throw bad("a multipart part has no Content-Disposition header");
        List<String> parts = splitParams(disposition);
        if (!parts.getFirst().trim().equalsIgnoreCase("form-data")) throw bad("a multipart part is not form-data");
        String name = parameters(parts).get("name");
        if (name == null) throw bad("a multipart part has no name");
        if (!name.equals(MODEL) && name.equalsIgnoreCase(MODEL)) {
            throw new ApiException(ApiError.badRequest("form field '" + Printable.escape(name) + "' is ambiguous: the model field is 'model'", MODEL));
        }
        if (name.equals(MODEL)) {
            if (++modelParts > 1) throw new ApiException(ApiError.badRequest("more than one 'model' form field", MODEL));
            inModel = true;
            modelStart = contentStart;
        }
    }

    /** {@code value; a=b; c="d;e"} split at the semicolons outside quotes. */
    private static List<String> splitParams(String header) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (quoted && c == '\\' && i + 1 < header.length()) {
                cur.append(c).append(header.charAt(++i));
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c == ';' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Parameters after the first element: names case-insensitive, values unquoted; a repeated name is refused. */
    private static Map<String, String> parameters(List<String> parts) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : parts.subList(1, parts.size())) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                if (p.isBlank()) continue;
                throw bad("malformed header parameter");
            }
            String key = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            String value = p.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1).replaceAll("\\\\(.)", "$1");
            }
            if (params.put(key, value) != null) throw bad("header parameter '" + key + "' is repeated");
        }
        return params;
    }

    private static ApiException bad(String message) {
        return new ApiException(ApiError.badRequest(message));
    }

    private static boolean startsWith(byte[] hay, int at, byte[] needle) {
        if (hay.length - at < needle.length) return false;
        for (int i = 0; i < needle.length; i++) if (hay[at + i] != needle[i]) return false;
        return true;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
