package dev.tailgate.local.engine.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The parts of an OpenAI chat request a llama.cpp engine acts on, validated. Everything llama.cpp would choke on
 * (and some of it aborts the process rather than failing) is refused here as a {@link BadChatRequest}.
 *
 * @param messagesJson {@code {"messages":[{"role","content"}...]}} — only plain strings, ready for the chat template
 * @param jsonSchema   a JSON schema (as JSON text) the output must follow, or null
 */
public record ChatOptions(
        String messagesJson,
        Integer maxTokens,
        Float temperature,
        Float topP,
        Integer seed,
        Float frequencyPenalty,
        Float presencePenalty,
        List<String> stop,
        String jsonSchema) {

    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
    private static final int MAX_STOPS = 16;

    public static ChatOptions from(ObjectNode body) {
        ObjectNode template = Json.object();
        template.set("messages", messages(body.get("messages")));
        if (body.hasNonNull("n") && body.get("n").asInt(-1) != 1) throw new BadChatRequest("'n' must be 1");
        JsonNode tools = body.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            throw new BadChatRequest("'tools' are not supported by the llama.cpp engine");
        }
        Integer maxTokens = positiveInt(body, "max_completion_tokens");
        if (maxTokens == null) maxTokens = positiveInt(body, "max_tokens");
        return new ChatOptions(
                Json.string(template),
                maxTokens,
                number(body, "temperature", 0, 2),
                number(body, "top_p", 0, 1),
                body.hasNonNull("seed") ? seed(body.get("seed")) : null,
                number(body, "frequency_penalty", -2, 2),
                number(body, "presence_penalty", -2, 2),
                stops(body.get("stop")),
                schema(body.get("response_format")));
    }

    private static ArrayNode messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new BadChatRequest("'messages' must be a non-empty array");
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new BadChatRequest("messages[" + i + "] must be an object with a 'role'");
            }
            String role = m.get("role").asText();
            if (role.equals("developer")) role = "system";
            if (!ROLES.contains(role)) throw new BadChatRequest("messages[" + i + "].role '" + role + "' is not supported");
            ObjectNode clean = out.addObject();
            clean.put("role", role);
            clean.put("content", text(m.get("content"), i));
        }
        return out;
    }

    private static String text(JsonNode content, int i) {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.asText();
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                String type = part.path("type").asText();
                if (type.equals("text") && part.path("text").isTextual()) {
                    sb.append(part.get("text").asText());
                } else {
                    throw new BadChatRequest("messages[" + i + "]: content part type '" + type + "' is not supported (text only)");
                }
            }
            return sb.toString();
        }
        throw new BadChatRequest("messages[" + i + "].content must be a string or an array of text parts");
    }

    private static Integer positiveInt(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw new BadChatRequest("'" + field + "' must be a positive integer");
        }
        return v.asInt();
    }

    private static Float number(JsonNode body, String field, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw new BadChatRequest("'" + field + "' must be a number between " + fmt(min) + " and " + fmt(max));
        }
        return (float) v.asDouble();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static Integer seed(JsonNode v) {
        if (!v.isIntegralNumber()) throw new BadChatRequest("'seed' must be an integer");
        // llama.cpp takes a 32-bit seed; fold larger ones deterministically, keeping clear of -1 ("random").
        long s = v.asLong();
        int folded = (int) (s ^ (s >>> 32));
        return folded == -1 ? 0 : folded;
    }

    private static List<String> stops(JsonNode v) {
        if (v == null || v.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (v.isTextual()) out.add(v.asText());
        else if (v.isArray()) {
            for (JsonNode s : v) {
                if (!s.isTextual()) throw new BadChatRequest("'stop' must be a string or an array of strings");
                out.add(s.asText());
            }
        } else {
            throw new BadChatRequest("'stop' must be a string or an array of strings");
        }
        if (out.size() > MAX_STOPS) throw new BadChatRequest("'stop' takes at most " + MAX_STOPS + " strings");
        out.removeIf(String::isEmpty);
        return List.copyOf(out);
    }

    /**
     * llama.cpp turns an empty {@code oneOf}/{@code anyOf}/{@code allOf}/{@code enum} into a grammar it then fails to
     * parse — and silently generates without any constraint. Refuse those up front; other schema errors are reported
     * by llama.cpp itself as a 400.
     */
    private static void rejectUnsatisfiable(JsonNode node) {
        if (node.isObject()) {
            for (String key : List.of("oneOf", "anyOf", "allOf", "enum")) {
                JsonNode v = node.get(key);
                if (v != null && v.isArray() && v.isEmpty()) {
                    throw new BadChatRequest("'response_format' schema has an empty '" + key + "'");
                }
            }
        }
        if (node.isContainerNode()) node.forEach(ChatOptions::rejectUnsatisfiable);
    }

    private static String schema(JsonNode format) {
        if (format == null || format.isNull()) return null;
        String type = format.path("type").asText("");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> "{\"type\":\"object\"}";
            case "json_schema" -> {
                JsonNode schema = format.path("json_schema").get("schema");
                if (schema == null || !schema.isObject()) {
                    throw new BadChatRequest("'response_format.json_schema.schema' must be a JSON schema object");
                }
                rejectUnsatisfiable(schema);
                yield Json.string(schema);
            }
            default -> throw new BadChatRequest("'response_format.type' must be text, json_object or json_schema");
        };
    }
}
