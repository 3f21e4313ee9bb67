package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.time.Clock;

/**
 * What every piece of one Responses answer shares: its id, creation time, the model alias the client asked for, the
 * tool-name map, an id source for output items, and the request settings a Response object echoes back
 * ({@code instructions}, {@code tools}, {@code tool_choice}, …, as clients such as the OpenAI SDKs expect them).
 */
public final class ResponseContext {
    private final String responseId;
    private final long createdAt;
    private final String model;
    private final ToolNameMap tools;
    private final IdGenerator ids;
    private final ObjectNode echo;

    private ResponseContext(String responseId, long createdAt, String model, ToolNameMap tools, IdGenerator ids, ObjectNode echo) {
        this.responseId = responseId;
        this.createdAt = createdAt;
        this.model = model;
        this.tools = tools;
        this.ids = ids;
        this.echo = echo;
    }

    /** The context for answering {@code request}, already translated into {@code translation}. */
    public static ResponseContext of(JsonNode request, ChatTranslation translation, IdGenerator ids, Clock clock) {
        ObjectNode echo = Json.object();
        echo.set("instructions", request.path("instructions").isTextual() ? request.get("instructions") : Json.MAPPER.nullNode());
        echo.set("max_output_tokens", orNull(request, "max_output_tokens"));
        echo.put("parallel_tool_calls", request.path("parallel_tool_calls").asBoolean(true));
        echo.putNull("previous_response_id");
        ObjectNode reasoning = echo.putObject("reasoning");
        reasoning.set("effort", request.path("reasoning").path("effort").isTextual() ? request.path("reasoning").get("effort") : Json.MAPPER.nullNode());
        reasoning.set("summary", request.path("reasoning").path("summary").isTextual() ? request.path("reasoning").get("summary") : Json.MAPPER.nullNode());
        echo.put("store", false); // nothing is ever stored, whatever the client asked
        echo.set("temperature", request.path("temperature").isNumber() ? request.get("temperature") : Json.MAPPER.getNodeFactory().numberNode(1.0));
        if (request.path("text").isObject()) echo.set("text", request.get("text"));
        else echo.putObject("text").putObject("format").put("type", "text");
        echo.set("tool_choice", request.hasNonNull("tool_choice") ? request.get("tool_choice") : Json.MAPPER.getNodeFactory().textNode("auto"));
        echo.set("tools", request.path("tools").isArray() ? request.get("tools") : Json.MAPPER.createArrayNode());
        echo.set("top_p", request.path("top_p").isNumber() ? request.get("top_p") : Json.MAPPER.getNodeFactory().numberNode(1.0));
        echo.put("truncation", "disabled");
        echo.set("user", orNull(request, "user"));
        echo.set("metadata", request.path("metadata").isObject() ? request.get("metadata") : Json.object());
        return new ResponseContext(ids.next("resp"), clock.instant().getEpochSecond(), translation.model(), translation.tools(), ids, echo);
    }

    private static JsonNode orNull(JsonNode request, String field) {
        return request.hasNonNull(field) ? request.get(field) : Json.MAPPER.nullNode();
    }

    public String responseId() {
        return responseId;
    }

    public String model() {
        return model;
    }

    public ToolNameMap tools() {
        return tools;
    }

    String newId(String prefix) {
        return ids.next(prefix);
    }

    /** A Response object in {@code status} with no output yet; callers fill {@code output} and {@code usage}. */
    ObjectNode response(String status) {
        ObjectNode response = Json.object();
        response.put("id", responseId);
        response.put("object", "response");
        response.put("created_at", createdAt);
        response.put("status", status);
        response.putNull("error");
        response.putNull("incomplete_details");
        response.put("model", model);
        response.putArray("output");
        response.setAll(echo.deepCopy());
        response.putNull("usage");
        return response;
    }

    /** Chat {@code usage} → Responses {@code usage}; null when the upstream reported none. */
    static ObjectNode usage(JsonNode chatUsage) {
        if (chatUsage == null || !chatUsage.isObject()) return null;
        long input = chatUsage.path("prompt_tokens").asLong(0);
        long output = chatUsage.path("completion_tokens").asLong(0);
        ObjectNode usage = Json.object();
        usage.put("input_tokens", input);
        usage.putObject("input_tokens_details").put("cached_tokens", chatUsage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        usage.put("output_tokens", output);
        usage.putObject("output_tokens_details").put("reasoning_tokens", chatUsage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
        usage.put("total_tokens", chatUsage.path("total_tokens").asLong(input + output));
        return usage;
    }
}
