package dev.tailgate.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Targeted rewrites of one top-level string field (in practice {@code "model"}) inside raw JSON bytes, without
 * re-serialising anything else: unknown fields, number spellings, key order and whitespace all survive byte for byte.
 * The whole document is still tokenised, so malformed JSON is detected.
 */
public final class JsonSplice {
    private JsonSplice() {}

    /** Where a top-level string value sits: {@code [start, end)} covers the quotes. */
    public record Span(int start, int end, String value) {}

    /**
     * Finds the top-level string field {@code name}. Returns null when the bytes are not one well-formed JSON object;
     * returns a span with {@code start == -1} when the object has no such string field.
     */
    public static Span find(byte[] json, String name) {
        return find(json, 0, json.length, name);
    }

    public static Span find(byte[] json, int offset, int length, String name) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            Span found = new Span(-1, -1, null);
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (v == null) return null;
                if (found.start < 0 && v == JsonToken.VALUE_STRING && name.equals(field)) {
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    String value = p.getText(); // forces the parser past the closing quote
                    int end = (int) p.currentLocation().getByteOffset();
                    found = new Span(start, end, value);
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) return null;
            if (p.nextToken() != null) return null; // trailing content
            return found;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Replaces the value of top-level string field {@code name} with {@code newValue}. Returns the input unchanged when
     * the field is absent; null when the input is not a well-formed JSON object.
     */
    public static byte[] replace(byte[] json, String name, String newValue) {
        return replace(json, find(json, name), newValue);
    }

    /**
     * As {@link #replace(byte[], String, String)} with the span already found by {@link #find} on these bytes: a
     * copy, no tokenising (for large bodies whose span was found off the event loop).
     */
    public static byte[] replace(byte[] json, Span s, String newValue) {
        if (s == null) return null;
        if (s.start < 0) return json;
        byte[] quoted = Json.bytes(newValue);
        byte[] out = new byte[json.length - (s.end - s.start) + quoted.length];
        System.arraycopy(json, 0, out, 0, s.start);
        System.arraycopy(quoted, 0, out, s.start, quoted.length);
        System.arraycopy(json, s.end, out, s.start + quoted.length, json.length - s.end);
        return out;
    }
}
