package dev.tailgate.wire.openai;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An entry of {@code GET /v1/models}: {@code {"id", "object": "model", "created", "owned_by"}}. */
public record ModelInfo(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
    public static ModelInfo of(String id, long created, String ownedBy) {
        return new ModelInfo(id, "model", created, ownedBy);
    }
}
