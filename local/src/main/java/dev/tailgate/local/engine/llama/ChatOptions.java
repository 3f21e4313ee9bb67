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
 * <p>Tools are rendered into the messages Qwen2.5's way ({@link QwenTools}); {@code tool_choice: "none"} leaves them
 * out. {@code "required"} or a named function sets {@link #forcedCallSchema}: the engine then starts the answer with
 * {@code <tool_call>} and constrains the rest with that schema's grammar.
 *
 * @param messagesJson      {@code {"messages":[{"role","content"}...]}} — only plain strings, ready for the chat template
 * @param jsonSchema        a JSON schema (as JSON text) the output must follow, or null
 * @param toolsOffered      tools are in the prompt: {@code <tool_call>} blocks in the answer are calls
 * @param forcedCallSchema  the schema of the one call the answer must be (tool_choice required or named), or null
 * @param parallelToolCalls false: the answer ends after its first call
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
        String jsonSchema,
        boolean toolsOffered,
        String forcedCallSchema,
        boolean parallelToolCalls) {

    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");
    private static final int MAX_STOPS = 16;

    public static ChatOptions from(ObjectNode body) {
        List<JsonNode> tools = QwenTools.tools(body.get("tools"));
        List<JsonNode> offered = offered(tools, body.get("tool_choice"));
        List<JsonNode> forced = forced(tools, body.get("tool_choice"));
        JsonNode parallel = body.get("parallel_tool_calls");
        if (parallel != null && !parallel.isNull() && !parallel.isBoolean()) {
            throw new BadChatRequest("'parallel_tool_calls' must be a boolean");
        }
        ObjectNode template = Json.object();
        template.set("messages", messages(body.get("messages"), offered));
        if (body.hasNonNull("n") && body.get("n").asInt(-1) != 1) throw new BadChatRequest("'n' must be 1");
        String jsonSchema = schema(body.get("response_format"));
        if (jsonSchema != null && forced != null) {
            throw new BadChatRequest("'response_format' cannot be combined with a tool_choice that forces a call");
        }
        if (forced != null) forced.forEach(t -> rejectUnsatisfiable(t.get("function").path("parameters")));
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
                jsonSchema,
                !offered.isEmpty(),
                forced == null ? null : QwenTools.callSchema(forced),
                parallel == null || parallel.isNull() || parallel.asBoolean());
    }

    /** The tools the prompt lists: all of them, none for {@code tool_choice: "none"}. */
    private static List<JsonNode> offered(List<JsonNode> tools, JsonNode choice) {
        if (choice != null && choice.isTextual() && choice.asText().equals("none")) return List.of();
        return tools;
    }

    /** The tools one of which the answer must call, or null when the model may answer freely. */
    private static List<JsonNode> forced(List<JsonNode> tools, JsonNode choice) {
        if (choice == null || choice.isNull()) return null;
        if (choice.isTextual()) {
            return switch (choice.asText()) {
                case "none", "auto" -> null;
                case "required" -> {
                    if (tools.isEmpty()) throw new BadChatRequest("'tool_choice' is 'required' but no 'tools' were given");
                    yield tools;
                }
                default -> throw new BadChatRequest("'tool_choice' must be none, auto, required or a function");
            };
        }
        String name = choice.path("function").path("name").asText("");
        if (!choice.path("type").asText().equals("function") || name.isEmpty()) {
            throw new BadChatRequest("'tool_choice' must be none, auto, required or {\"type\":\"function\",\"function\":{\"name\":...}}");
        }
        for (JsonNode t : tools) if (t.get("function").get("name").asText().equals(name)) return List.of(t);
        throw new BadChatRequest("'tool_choice' names function '" + name + "', which is not in 'tools'");
    }

    private static ArrayNode messages(JsonNode node, List<JsonNode> tools) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new BadChatRequest("'messages' must be a non-empty array");
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        boolean lastWasTool = false;
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new BadChatRequest("messages[" + i + "] must be an object with a 'role'");
            }
            String role = m.get("role").asText();
            if (role.equals("developer")) role = "system";
            if (!ROLES.contains(role)) throw new BadChatRequest("messages[" + i + "].role '" + role + "' is not supported");
            String content = text(m.get("content"), i);
            if (role.equals("tool")) {
                // consecutive results share one user turn, as in Qwen's template
                ObjectNode last = out.isEmpty() ? null : (ObjectNode) out.get(out.size() - 1);
                if (last != null && lastWasTool) {
                    last.put("content", last.get("content").asText() + "\n" + QwenTools.response(content));
                } else {
                    out.addObject().put("role", "user").put("content", QwenTools.response(content));
                }
                lastWasTool = true;
                continue;
            }
            lastWasTool = false;
            if (role.equals("assistant") && m.hasNonNull("tool_calls")) content = QwenTools.assistant(content, m.get("tool_calls"), i);
            ObjectNode clean = out.addObject();
            clean.put("role", role);
            clean.put("content", content);
        }
        if (!tools.isEmpty()) {
            ObjectNode first = (ObjectNode) out.get(0);
            if (first.get("role").asText().equals("system")) {
                first.put("content", QwenTools.system(first.get("content").asText(), tools));
            } else {
                out.insertObject(0).put("role", "system").put("content", QwenTools.system(null, tools));
            }
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
