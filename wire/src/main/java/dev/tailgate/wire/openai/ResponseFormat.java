package dev.tailgate.wire.openai;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code response_format}: {@code text}, {@code json_object} or {@code json_schema} (then {@code jsonSchema} holds it). */
public record ResponseFormat(String type, JsonNode jsonSchema) {}
