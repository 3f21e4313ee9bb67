package dev.tailgate.local.engine.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Tools in the prompt the way Qwen2.5's own chat template writes them, as plain ChatML messages — so any ChatML
 * template (including the one llama.cpp b4916 applies) produces the text the model was trained on:
 * <ul>
 *   <li>the tools go into the system message: a {@code # Tools} section listing each tool as JSON inside
 *       {@code <tools></tools>}, then the {@code <tool_call>} answer format;</li>
 *   <li>an assistant message's {@code tool_calls} become {@code <tool_call>\n{"name": …, "arguments": …}\n</tool_call>}
 *       blocks after its text;</li>
 *   <li>consecutive {@code role: tool} results become one user message of {@code <tool_response>} blocks.</li>
 * </ul>
 */
final class QwenTools {
    static final String DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final int MAX_TOOLS = 128;

    private QwenTools() {}

    /** The validated {@code tools} array (each {@code {"type":"function","function":{name,description?,parameters?}}}). */
    static List<JsonNode> tools(JsonNode tools) {
        if (tools == null || tools.isNull()) return List.of();
        if (!tools.isArray()) throw new BadChatRequest("'tools' must be an array");
        if (tools.size() > MAX_TOOLS) throw new BadChatRequest("'tools' takes at most " + MAX_TOOLS + " functions");
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            if (!t.path("type").asText().equals("function") || !t.path("function").isObject()) {
                throw new BadChatRequest("tools[" + i + "] must be {\"type\":\"function\",\"function\":{...}}");
            }
            String name = t.get("function").path("name").asText("");
            if (!NAME.matcher(name).matches()) {
                throw new BadChatRequest("tools[" + i + "].function.name must be 1-64 letters, digits, '_' or '-'");
            }
            JsonNode params = t.get("function").get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw new BadChatRequest("tools[" + i + "].function.parameters must be a JSON schema object");
            }
        }
        List<JsonNode> out = new ArrayList<>(tools.size());
        tools.forEach(out::add);
        return List.copyOf(out);
    }

    /** The system message's text with the tools section appended (Qwen's default system text when there was none). */
    static String system(String systemText, List<JsonNode> tools) {
        StringBuilder sb = new StringBuilder(systemText == null ? DEFAULT_SYSTEM : systemText);
        sb.append("\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        for (JsonNode t : tools) sb.append('\n').append(Json.string(t));
        sb.append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
                + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return sb.toString();
    }

    /** An assistant turn: its text, then one block per call. {@code calls} is the message's {@code tool_calls}. */
    static String assistant(String text, JsonNode calls, int index) {
        StringBuilder sb = new StringBuilder(text);
        if (!calls.isArray()) throw new BadChatRequest("messages[" + index + "].tool_calls must be an array");
        for (int k = 0; k < calls.size(); k++) {
            JsonNode fn = calls.get(k).path("function");
            if (!fn.path("name").isTextual()) {
                throw new BadChatRequest("messages[" + index + "].tool_calls[" + k + "].function.name must be a string");
            }
            if (!sb.isEmpty()) sb.append('\n');
            sb.append(callBlock(fn.get("name").asText(), fn.get("arguments")));
        }
        return sb.toString();
    }

    /** {@code <tool_call>\n{"name": "f", "arguments": {...}}\n</tool_call>}; arguments sent as a JSON string are inlined. */
    static String callBlock(String name, JsonNode arguments) {
        JsonNode args = arguments;
        if (arguments != null && arguments.isTextual()) {
            try {
                args = Json.parse(arguments.asText());
            } catch (RuntimeException notJson) {
                args = arguments; // kept as the string it is
            }
        }
        if (args == null || args.isNull() || args.isMissingNode()) args = Json.object();
        return "<tool_call>\n{\"name\": " + Json.string(Json.MAPPER.getNodeFactory().textNode(name)) + ", \"arguments\": "
                + Json.string(args) + "}\n</tool_call>";
    }

    /** The content of a tool result inside the user turn that collects consecutive results. */
    static String response(String content) {
        return "<tool_response>\n" + content + "\n</tool_response>";
    }

    /**
     * The JSON schema of one call object, {@code {"name": <one of names>, "arguments": <that tool's parameters>}}: as a
     * grammar it makes even a weak model emit a valid call. Several tools: any one of them.
     */
    static String callSchema(List<JsonNode> tools) {
        ArrayNode options = Json.MAPPER.createArrayNode();
        for (JsonNode t : tools) {
            ObjectNode one = options.addObject();
            one.put("type", "object");
            ObjectNode props = one.putObject("properties");
            props.putObject("name").put("const", t.get("function").get("name").asText());
            JsonNode params = t.get("function").get("parameters");
            props.set("arguments", params == null || params.isNull() ? Json.object().put("type", "object") : params);
            one.putArray("required").add("name").add("arguments");
            one.put("additionalProperties", false);
        }
        if (options.size() == 1) return Json.string(options.get(0));
        ObjectNode any = Json.object();
        any.set("anyOf", options);
        return Json.string(any);
    }
}
