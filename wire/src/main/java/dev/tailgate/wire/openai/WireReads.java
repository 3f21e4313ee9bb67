package dev.tailgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.WireException;

/** Typed reads of request fields that fail with a {@link WireException} naming the parameter. */
final class WireReads {
    private WireReads() {}

    static String requiredString(JsonNode parent, String field, String param) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) throw new WireException("you must provide a '" + param + "' parameter", param);
        if (!n.isTextual()) throw new WireException("'" + param + "' must be a string", param);
        return n.textValue();
    }

    static String optionalString(JsonNode parent, String field, String param) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw new WireException("'" + param + "' must be a string", param);
        return n.textValue();
    }

    static boolean optionalBoolean(JsonNode parent, String field, String param) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return false;
        if (!n.isBoolean()) throw new WireException("'" + param + "' must be a boolean", param);
        return n.booleanValue();
    }

    static JsonNode optionalObject(JsonNode parent, String field, String param) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) throw new WireException("'" + param + "' must be an object", param);
        return n;
    }

    static JsonNode optionalArray(JsonNode parent, String field, String param) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isArray()) throw new WireException("'" + param + "' must be an array", param);
        return n;
    }
}
