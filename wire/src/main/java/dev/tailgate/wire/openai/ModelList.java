package dev.tailgate.wire.openai;

import java.util.List;

/** {@code GET /v1/models}: {@code {"object": "list", "data": [...]}}. */
public record ModelList(String object, List<ModelInfo> data) {
    public static ModelList of(List<ModelInfo> data) {
        return new ModelList("list", List.copyOf(data));
    }
}
