package dev.tailgate.testing.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A request the fake upstream received: method, path (below the host), headers (lower-case names) and raw body. */
public record RecordedRequest(String method, String path, Map<String, List<String>> headers, byte[] body) {

    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body parsed as JSON (throws when it is not JSON, e.g. multipart). */
    public JsonNode json() {
        return Json.parse(body);
    }
}
