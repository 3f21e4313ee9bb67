package dev.tailgate.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one configured JSON mapper. Every module reads and writes JSON through here so that
 * number handling, unknown-field tolerance and null policy are decided in one place.
 */
public final class Json {
    /** Tolerant reader (unknown fields are kept by the raw-node passthrough, never rejected). */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // "{...} junk" is not JSON: without this, readTree returns the first value and ignores the rest, and code
            // that re-reads the raw bytes (JsonSplice) then disagrees with the parsed tree
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // {"model":"a",...,"model":"b"}: the tree keeps the last, a byte-level splice or an upstream may take the
            // first — the gateway would route and authorise one model and send another. Duplicate keys are refused.
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Parses bytes as JSON; throws {@link BadJsonException} (a client error) on anything malformed. */
    public static JsonNode parse(byte[] bytes) {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) throw new BadJsonException("request body is empty");
            return node;
        } catch (IOException e) {
            throw new BadJsonException("request body is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    public static JsonNode parse(String text) {
        return parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String string(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        // Jackson appends source excerpts; keep the message short and free of request content.
        int src = line.indexOf(" (for ");
        return src < 0 ? line : line.substring(0, src);
    }

    /** Malformed JSON from a client: maps to 400 invalid_request_error. */
    public static final class BadJsonException extends RuntimeException {
        public BadJsonException(String message) {
            super(message, null, false, false);
        }
    }
}
