package dev.tailgate.local.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;

/** Small typed readers for request JSON: each refusal names the offending field as {@code param}. */
final class Requests {
    private Requests() {}

    static ObjectNode object(byte[] body) {
        JsonNode node;
        try {
            node = Json.parse(body);
        } catch (Json.BadJsonException e) {
            throw BadRequest.of(e.getMessage(), null);
        }
        if (!node.isObject()) throw BadRequest.of("The request body must be a JSON object.", null);
        return (ObjectNode) node;
    }

    static String requiredString(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) throw BadRequest.of("Missing required parameter: '" + field + "'.", field);
        if (!v.isTextual() || v.asText().isBlank()) {
            throw BadRequest.of("Invalid type for '" + field + "': expected a non-empty string.", field);
        }
        return v.asText();
    }

    static boolean optionalBoolean(JsonNode o, String field, String param, boolean dflt) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw BadRequest.of("Invalid type for '" + param + "': expected a boolean.", param);
        return v.asBoolean();
    }

    static void optionalNumber(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v != null && !v.isNull() && !v.isNumber()) {
            throw BadRequest.of("Invalid type for '" + field + "': expected a number.", field);
        }
    }

    static void optionalPositiveInt(ObjectNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) return;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw BadRequest.of("Invalid '" + field + "': expected an integer of at least 1.", field);
        }
    }
}
