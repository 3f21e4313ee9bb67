package dev.tailgate.wire.openai;

import static dev.tailgate.wire.openai.WireReads.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.WireException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a {@code /v1/chat/completions} request the gateway reads, validated, plus the raw object so that
 * passthrough never loses fields it does not model (temperature, seed, logprobs, vendor extensions, ...).
 */
public record ChatRequest(ObjectNode raw, String model, boolean stream, boolean includeUsage, List<ChatMessage> messages,
                          List<ToolDefinition> tools, ResponseFormat responseFormat) {

    public static ChatRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) throw new WireException("request body must be a JSON object", null);
        ObjectNode raw = (ObjectNode) body;
        String model = requiredString(raw, "model", "model");
        boolean stream = optionalBoolean(raw, "stream", "stream");
        JsonNode so = optionalObject(raw, "stream_options", "stream_options");
        boolean includeUsage = so != null && optionalBoolean(so, "include_usage", "stream_options.include_usage");
        JsonNode msgs = raw.get("messages");
        if (msgs == null || msgs.isNull()) throw new WireException("you must provide a 'messages' parameter", "messages");
        if (!msgs.isArray()) throw new WireException("'messages' must be an array", "messages");
        if (msgs.isEmpty()) throw new WireException("'messages' must not be empty", "messages");
        List<ChatMessage> messages = new ArrayList<>(msgs.size());
        for (int i = 0; i < msgs.size(); i++) messages.add(message(msgs.get(i), "messages[" + i + "]"));
        List<ToolDefinition> tools = new ArrayList<>();
        JsonNode t = optionalArray(raw, "tools", "tools");
        if (t != null) for (int i = 0; i < t.size(); i++) tools.add(tool(t.get(i), "tools[" + i + "]"));
        ResponseFormat rf = null;
        JsonNode f = optionalObject(raw, "response_format", "response_format");
        if (f != null) rf = new ResponseFormat(requiredString(f, "type", "response_format.type"), f.get("json_schema"));
        return new ChatRequest(raw, model, stream, includeUsage, List.copyOf(messages), List.copyOf(tools), rf);
    }

    private static ChatMessage message(JsonNode m, String at) {
        if (!m.isObject()) throw new WireException("'" + at + "' must be an object", at);
        String role = requiredString(m, "role", at + ".role");
        JsonNode content = m.get("content");
        String text = null;
        List<ContentPart> parts = new ArrayList<>();
        if (content == null || content.isNull()) {
            // allowed: assistant messages carrying only tool_calls
        } else if (content.isTextual()) {
            text = content.textValue();
        } else if (content.isArray()) {
            StringBuilder sb = null;
            for (int i = 0; i < content.size(); i++) {
                JsonNode p = content.get(i);
                String pat = at + ".content[" + i + "]";
                if (!p.isObject()) throw new WireException("'" + pat + "' must be an object", pat);
                String type = requiredString(p, "type", pat + ".type");
                String pt = "text".equals(type) ? requiredString(p, "text", pat + ".text") : null;
                if (pt != null) {
                    if (sb == null) sb = new StringBuilder();
                    sb.append(pt);
                }
                parts.add(new ContentPart(type, pt, p));
            }
            text = sb == null ? null : sb.toString();
        } else {
            throw new WireException("'" + at + ".content' must be a string or an array of content parts", at + ".content");
        }
        List<ToolCall> calls = new ArrayList<>();
        JsonNode tc = optionalArray(m, "tool_calls", at + ".tool_calls");
        if (tc != null) {
            for (int i = 0; i < tc.size(); i++) {
                JsonNode c = tc.get(i);
                String cat = at + ".tool_calls[" + i + "]";
                if (!c.isObject()) throw new WireException("'" + cat + "' must be an object", cat);
                JsonNode fn = optionalObject(c, "function", cat + ".function");
                calls.add(new ToolCall(optionalString(c, "id", cat + ".id"), optionalString(c, "type", cat + ".type"),
                        fn == null ? null : optionalString(fn, "name", cat + ".function.name"),
                        fn == null ? null : optionalString(fn, "arguments", cat + ".function.arguments")));
            }
        }
        return new ChatMessage(role, text, List.copyOf(parts), List.copyOf(calls),
                optionalString(m, "tool_call_id", at + ".tool_call_id"), optionalString(m, "name", at + ".name"));
    }

    private static ToolDefinition tool(JsonNode t, String at) {
        if (!t.isObject()) throw new WireException("'" + at + "' must be an object", at);
        String type = requiredString(t, "type", at + ".type");
        JsonNode fn = optionalObject(t, "function", at + ".function");
        if (fn == null) return new ToolDefinition(type, null, null, null);
        return new ToolDefinition(type, requiredString(fn, "name", at + ".function.name"),
                optionalString(fn, "description", at + ".function.description"), fn.get("parameters"));
    }
}
