package dev.tailgate.wire.openai;

import static dev.tailgate.wire.openai.WireReads.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.WireException;

/** {@code /v1/embeddings}: model, input (string, strings, tokens or token arrays — kept raw), encoding_format. */
public record EmbeddingsRequest(ObjectNode raw, String model, JsonNode input, String encodingFormat) {

    public static EmbeddingsRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) throw new WireException("request body must be a JSON object", null);
        ObjectNode raw = (ObjectNode) body;
        String model = requiredString(raw, "model", "model");
        JsonNode input = raw.get("input");
        if (input == null || input.isNull()) throw new WireException("you must provide an 'input' parameter", "input");
        if (!input.isTextual() && !input.isArray()) throw new WireException("'input' must be a string or an array", "input");
        String enc = optionalString(raw, "encoding_format", "encoding_format");
        if (enc != null && !enc.equals("float") && !enc.equals("base64")) {
            throw new WireException("'encoding_format' must be 'float' or 'base64'", "encoding_format");
        }
        return new EmbeddingsRequest(raw, model, input, enc == null ? "float" : enc);
    }
}
