package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.responses.ToolNameMap.Kind;
import dev.tailgate.gateway.responses.ToolNameMap.ToolRef;
import dev.tailgate.wire.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates an OpenAI Responses request into a chat-completions request, statelessly: the client (Codex sends
 * {@code store: false}) re-sends the whole conversation as {@code input} items every turn, so every turn is translated
 * on its own. Items the upstream cannot understand (reasoning, built-in tool calls) are dropped; anything malformed is
 * refused with a 400 naming the offending {@code param}.
 */
public final class ResponsesRequestTranslator {

    /** Written into the description of a freeform tool offered as a function, so the model knows where its text goes. */
    static final String CUSTOM_TOOL_HINT = "Put the complete raw tool input in the string parameter `input`.";

    private final List<String> notes = new ArrayList<>();
    private final ToolNameMap toolNames = new ToolNameMap();
    private final ArrayNode messages = Json.MAPPER.createArrayNode();
    /** Reasoning text from a reasoning item, waiting for the assistant message it belongs to. */
    private String pendingReasoning;

    private ResponsesRequestTranslator() {}

    /** Translates {@code request}; throws {@link InvalidResponsesRequest} for anything malformed. */
    public static ChatTranslation translate(JsonNode request) {
        return new ResponsesRequestTranslator().run(request);
    }

    private ChatTranslation run(JsonNode request) {
        if (request == null || !request.isObject()) throw new InvalidResponsesRequest("The request body must be a JSON object.", null);
        ObjectNode chat = Json.object();

        JsonNode model = request.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new InvalidResponsesRequest("'model' is required and must be a non-empty string.", "model");
        }
        chat.put("model", model.asText());
        refuseStatefulFeatures(request);

        // Tools first: history items reuse the names chosen for the declared tools.
        ArrayNode chatTools = translateTools(request.get("tools"));

        JsonNode instructions = request.get("instructions");
        if (instructions != null && !instructions.isNull()) {
            if (!instructions.isTextual()) throw new InvalidResponsesRequest("'instructions' must be a string.", "instructions");
            if (!instructions.asText().isEmpty()) addSystem(instructions.asText());
        }
        translateInput(request.get("input"));
        if (messages.isEmpty()) throw new InvalidResponsesRequest("'input' must contain at least one message.", "input");
        chat.set("messages", ToolMessagePairing.repair(messages, notes));

        if (!chatTools.isEmpty()) {
            chat.set("tools", chatTools);
            JsonNode parallel = request.get("parallel_tool_calls");
            if (parallel != null && !parallel.isNull()) {
                if (!parallel.isBoolean()) throw new InvalidResponsesRequest("'parallel_tool_calls' must be a boolean.", "parallel_tool_calls");
                chat.put("parallel_tool_calls", parallel.asBoolean());
            }
        }
        translateToolChoice(request.get("tool_choice"), chat, !chatTools.isEmpty());
        copyNumber(request, "temperature", chat, "temperature", 0, 2);
        copyNumber(request, "top_p", chat, "top_p", 0, 1);
        JsonNode maxOut = request.get("max_output_tokens");
        if (maxOut != null && !maxOut.isNull()) {
            // canConvertToInt first: asLong() of 2^70+5 is silently 5
            if (!maxOut.isIntegralNumber() || !maxOut.canConvertToInt() || maxOut.intValue() < 1) {
                throw new InvalidResponsesRequest("'max_output_tokens' must be a positive integer.", "max_output_tokens");
            }
            // max_tokens, not max_completion_tokens: it is what OpenAI-compatible upstreams (llama.cpp, DeepSeek, vLLM) accept.
            chat.put("max_tokens", maxOut.asLong());
        }
        translateTextFormat(request.get("text"), chat);
        JsonNode user = request.get("user");
        if (user != null && user.isTextual()) chat.put("user", user.asText());

        JsonNode streamNode = request.get("stream");
        if (streamNode != null && !streamNode.isNull() && !streamNode.isBoolean()) {
            throw new InvalidResponsesRequest("'stream' must be a boolean.", "stream");
        }
        boolean stream = streamNode != null && streamNode.asBoolean(false);
        if (stream) {
            chat.put("stream", true);
            dev.tailgate.gateway.chat.StreamUsage.ask(chat); // the bridge reads the usage chunk
        }
        JsonNode reasoning = request.get("reasoning");
        if (reasoning != null && reasoning.hasNonNull("effort")) notes.add("reasoning.effort not forwarded (chat upstreams differ)");
        return new ChatTranslation(chat, model.asText(), stream, toolNames, notes);
    }

    private void refuseStatefulFeatures(JsonNode request) {
        JsonNode previous = request.get("previous_response_id");
        if (previous != null && !previous.isNull()) {
            throw new InvalidResponsesRequest(
                    "'previous_response_id' is not supported: this gateway does not store responses. Send the whole conversation as 'input' (store: false).",
                    "previous_response_id");
        }
        JsonNode conversation = request.get("conversation");
        if (conversation != null && !conversation.isNull()) {
            throw new InvalidResponsesRequest("'conversation' is not supported: send the whole conversation as 'input'.", "conversation");
        }
        JsonNode background = request.get("background");
        if (background != null && background.asBoolean(false)) {
            throw new InvalidResponsesRequest("'background' responses are not supported.", "background");
        }
        JsonNode store = request.get("store");
        if (store != null && store.asBoolean(false)) notes.add("store: true ignored (responses are never stored)");
    }

    // ---- input ---------------------------------------------------------------------------------------------------

    private void translateInput(JsonNode input) {
        if (input == null || input.isNull()) return;
        if (input.isTextual()) {
            ObjectNode message = messages.addObject();
            message.put("role", "user");
            message.put("content", input.asText());
            return;
        }
        if (!input.isArray()) throw new InvalidResponsesRequest("'input' must be a string or an array of items.", "input");
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            String param = "input[" + i + "]";
            if (!item.isObject()) throw new InvalidResponsesRequest(param + " must be an object.", param);
            String type = item.path("type").asText("");
            // EasyInputMessage may omit "type" and carries a role.
            if (type.isEmpty() && item.has("role")) type = "message";
            switch (type) {
                case "message" -> translateMessage(item, param);
                case "function_call" -> addToolCall(item, param, Kind.FUNCTION);
                case "custom_tool_call" -> addToolCall(item, param, Kind.CUSTOM);
                case "function_call_output", "custom_tool_call_output" -> addToolOutput(item, param);
                case "reasoning" -> pendingReasoning = reasoningText(item);
                case "item_reference" -> throw new InvalidResponsesRequest(
                        "'item_reference' items are not supported: this gateway stores nothing; send the items themselves.", param + ".type");
                case "" -> throw new InvalidResponsesRequest(param + " has no 'type'.", param + ".type");
                default -> notes.add("input item of type '" + type + "' dropped");
            }
        }
    }

    private void translateMessage(JsonNode item, String param) {
        String role = item.path("role").asText("");
        String chatRole = switch (role) {
            case "user", "assistant", "system" -> role;
            case "developer" -> "system";
            default -> throw new InvalidResponsesRequest(
                    param + ".role must be one of user, assistant, system, developer.", param + ".role");
        };
        JsonNode content = item.get("content");
        if (content == null || content.isNull()) throw new InvalidResponsesRequest(param + ".content is required.", param + ".content");
        if (content.isTextual()) {
            addMessage(chatRole, content.asText(), null);
            return;
        }
        if (!content.isArray()) throw new InvalidResponsesRequest(param + ".content must be a string or an array.", param + ".content");
        List<String> texts = new ArrayList<>();
        ArrayNode parts = Json.MAPPER.createArrayNode();
        boolean hasImage = false;
        for (int p = 0; p < content.size(); p++) {
            JsonNode part = content.get(p);
            String partParam = param + ".content[" + p + "]";
            String partType = part.path("type").asText("");
            switch (partType) {
                case "input_text", "output_text", "text", "refusal", "summary_text", "reasoning_text" -> {
                    String text = part.path("refusal".equals(partType) ? "refusal" : "text").asText(null);
                    if (text == null) throw new InvalidResponsesRequest(partParam + ".text is required.", partParam + ".text");
                    texts.add(text);
                    parts.addObject().put("type", "text").put("text", text);
                }
                case "input_image" -> {
                    if (!"user".equals(chatRole)) {
                        throw new InvalidResponsesRequest("Images are only supported in user messages.", partParam);
                    }
                    JsonNode url = part.get("image_url");
                    if (url == null || !url.isTextual() || url.asText().isEmpty()) {
                        throw new InvalidResponsesRequest(partParam + ".image_url is required (file_id is not supported).", partParam + ".image_url");
                    }
                    ObjectNode imageUrl = parts.addObject().put("type", "image_url").putObject("image_url");
                    imageUrl.put("url", url.asText());
                    if (part.hasNonNull("detail")) imageUrl.put("detail", part.get("detail").asText());
                    hasImage = true;
                }
                default -> throw new InvalidResponsesRequest(
                        partParam + " has unsupported type '" + partType + "'.", partParam + ".type");
            }
        }
        // Plain text as a string: many chat upstreams accept content arrays only in user messages.
        addMessage(chatRole, hasImage ? null : String.join("\n\n", texts), hasImage ? parts : null);
    }

    private void addMessage(String role, String text, ArrayNode parts) {
        if (!"assistant".equals(role)) pendingReasoning = null; // reasoning never crosses a user turn
        ObjectNode last = lastMessage();
        // Adjacent system messages become one: several chat templates accept a single leading system message only.
        if ("system".equals(role) && last != null && "system".equals(last.path("role").asText()) && last.get("content").isTextual()) {
            last.put("content", last.get("content").asText() + "\n\n" + text);
            return;
        }
        ObjectNode message = messages.addObject();
        message.put("role", role);
        if (parts != null) message.set("content", parts); else message.put("content", text);
        if ("assistant".equals(role)) attachReasoning(message);
    }

    /**
     * Gives an assistant message back the reasoning the upstream produced for it. Only reasoning this bridge itself
     * emitted (as {@code reasoning_text} content) comes back, so only upstreams that produce {@code reasoning_content}
     * ever receive it — and some require it: DeepSeek's thinking mode refuses (400) a tool-call turn whose
     * {@code reasoning_content} is missing from the history.
     */
    private void attachReasoning(ObjectNode assistant) {
        if (pendingReasoning == null) return;
        String previous = assistant.path("reasoning_content").asText("");
        assistant.put("reasoning_content", previous.isEmpty() ? pendingReasoning : previous + pendingReasoning);
        pendingReasoning = null;
    }

    /** The {@code reasoning_text} content of a reasoning item (what this bridge emits); null when there is none. */
    private static String reasoningText(JsonNode item) {
        StringBuilder text = new StringBuilder();
        for (JsonNode part : item.path("content")) {
            if ("reasoning_text".equals(part.path("type").asText()) && part.path("text").isTextual()) text.append(part.get("text").asText());
        }
        return text.isEmpty() ? null : text.toString();
    }

    private void addSystem(String text) {
        addMessage("system", text, null);
    }

    private void addToolCall(JsonNode item, String param, Kind kind) {
        String callId = requiredText(item, "call_id", param);
        String name = requiredText(item, "name", param);
        String namespace = item.hasNonNull("namespace") ? item.get("namespace").asText() : null;
        String arguments;
        if (kind == Kind.CUSTOM) {
            JsonNode input = item.get("input");
            if (input == null || !input.isTextual()) throw new InvalidResponsesRequest(param + ".input must be a string.", param + ".input");
            arguments = Json.string(Json.object().put("input", input.asText()));
        } else {
            JsonNode args = item.get("arguments");
            arguments = args == null || args.isNull() ? "{}" : args.isTextual() ? args.asText() : Json.string(args);
        }
        // Consecutive calls share one assistant message; so does the assistant text right before them.
        ObjectNode last = lastMessage();
        ObjectNode holder;
        if (last != null && "assistant".equals(last.path("role").asText()) && (last.get("content") == null || last.get("content").isTextual() || last.get("content").isNull())) {
            holder = last;
        } else {
            holder = messages.addObject();
            holder.put("role", "assistant");
            holder.putNull("content");
        }
        attachReasoning(holder);
        ArrayNode calls = holder.has("tool_calls") ? (ArrayNode) holder.get("tool_calls") : holder.putArray("tool_calls");
        ObjectNode call = calls.addObject();
        call.put("id", callId);
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", toolNames.chatName(new ToolRef(kind, namespace, name)));
        function.put("arguments", arguments);
    }

    private void addToolOutput(JsonNode item, String param) {
        String callId = requiredText(item, "call_id", param);
        JsonNode output = item.get("output");
        String text;
        if (output == null || output.isNull()) {
            text = "";
        } else if (output.isTextual()) {
            text = output.asText();
        } else if (output.isArray()) {
            List<String> texts = new ArrayList<>();
            for (JsonNode part : output) {
                String partType = part.path("type").asText("");
                if (part.hasNonNull("text")) texts.add(part.get("text").asText());
                else if (!partType.isEmpty()) notes.add("tool output part of type '" + partType + "' dropped");
            }
            text = String.join("\n", texts);
        } else if (output.isObject() && output.hasNonNull("content") && output.get("content").isTextual()) {
            text = output.get("content").asText();
        } else {
            text = Json.string(output);
        }
        pendingReasoning = null;
        ObjectNode message = messages.addObject();
        message.put("role", "tool");
        message.put("tool_call_id", callId);
        message.put("content", text);
    }

    private ObjectNode lastMessage() {
        return messages.isEmpty() ? null : (ObjectNode) messages.get(messages.size() - 1);
    }

    // ---- tools ---------------------------------------------------------------------------------------------------

    private ArrayNode translateTools(JsonNode tools) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        if (tools == null || tools.isNull()) return out;
        if (!tools.isArray()) throw new InvalidResponsesRequest("'tools' must be an array.", "tools");
        for (int i = 0; i < tools.size(); i++) {
            translateTool(tools.get(i), null, "tools[" + i + "]", out);
        }
        return out;
    }

    private void translateTool(JsonNode tool, String namespace, String param, ArrayNode out) {
        if (!tool.isObject()) throw new InvalidResponsesRequest(param + " must be an object.", param);
        String type = tool.path("type").asText("");
        switch (type) {
            case "function" -> {
                String name = requiredText(tool, "name", param);
                ObjectNode function = addFunction(out, toolNames.chatName(new ToolRef(Kind.FUNCTION, namespace, name)), tool.get("description"));
                JsonNode parameters = tool.get("parameters");
                if (parameters != null && parameters.isObject()) {
                    function.set("parameters", parameters);
                } else {
                    function.putObject("parameters").put("type", "object").putObject("properties");
                }
                if (tool.path("strict").asBoolean(false)) function.put("strict", true);
            }
            case "custom" -> {
                String name = requiredText(tool, "name", param);
                String description = tool.path("description").asText("");
                JsonNode format = tool.get("format");
                String hint = CUSTOM_TOOL_HINT;
                if (format != null && "grammar".equals(format.path("type").asText()) && format.hasNonNull("definition")) {
                    hint += " The input must follow this " + format.path("syntax").asText("") + " grammar:\n" + format.get("definition").asText();
                }
                ObjectNode function = addFunction(out, toolNames.chatName(new ToolRef(Kind.CUSTOM, namespace, name)),
                        Json.MAPPER.getNodeFactory().textNode(description.isEmpty() ? hint : description + "\n\n" + hint));
                ObjectNode parameters = function.putObject("parameters");
                parameters.put("type", "object");
                parameters.putObject("properties").putObject("input").put("type", "string").put("description", "The raw tool input.");
                parameters.putArray("required").add("input");
                parameters.put("additionalProperties", false);
            }
            case "namespace" -> {
                String name = requiredText(tool, "name", param);
                JsonNode inner = tool.get("tools");
                if (inner == null || !inner.isArray()) throw new InvalidResponsesRequest(param + ".tools must be an array.", param + ".tools");
                for (int j = 0; j < inner.size(); j++) translateTool(inner.get(j), name, param + ".tools[" + j + "]", out);
            }
            case "" -> throw new InvalidResponsesRequest(param + " has no 'type'.", param + ".type");
            // Built-in tools (web_search, file_search, local_shell, image_generation, mcp, …) run on OpenAI's side;
            // a chat upstream cannot run them, so the model simply doesn't see them.
            default -> notes.add("built-in tool '" + type + "' dropped (not available on chat upstreams)");
        }
    }

    private static ObjectNode addFunction(ArrayNode out, String chatName, JsonNode description) {
        ObjectNode wrapper = out.addObject();
        wrapper.put("type", "function");
        ObjectNode function = wrapper.putObject("function");
        function.put("name", chatName);
        if (description != null && description.isTextual() && !description.asText().isEmpty()) function.set("description", description);
        return function;
    }

    private void translateToolChoice(JsonNode choice, ObjectNode chat, boolean haveTools) {
        if (choice == null || choice.isNull()) return;
        if (choice.isTextual()) {
            String value = choice.asText();
            if (!value.equals("auto") && !value.equals("none") && !value.equals("required")) {
                throw new InvalidResponsesRequest("'tool_choice' must be auto, none, required or a tool object.", "tool_choice");
            }
            if (haveTools) chat.put("tool_choice", value);
            return;
        }
        if (!choice.isObject()) throw new InvalidResponsesRequest("'tool_choice' must be a string or an object.", "tool_choice");
        String type = choice.path("type").asText("");
        if ((type.equals("function") || type.equals("custom")) && choice.hasNonNull("name")) {
            Kind kind = type.equals("custom") ? Kind.CUSTOM : Kind.FUNCTION;
            String namespace = choice.hasNonNull("namespace") ? choice.get("namespace").asText() : null;
            ObjectNode out = chat.putObject("tool_choice");
            out.put("type", "function");
            out.putObject("function").put("name", toolNames.chatName(new ToolRef(kind, namespace, choice.get("name").asText())));
        } else if (type.equals("allowed_tools")) {
            String mode = choice.path("mode").asText("auto");
            if (haveTools) chat.put("tool_choice", mode.equals("required") ? "required" : "auto");
        } else {
            notes.add("tool_choice of type '" + type + "' dropped");
        }
    }

    // ---- sampling and format -------------------------------------------------------------------------------------

    private static void copyNumber(JsonNode request, String field, ObjectNode chat, String chatField, double min, double max) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) return;
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw new InvalidResponsesRequest("'" + field + "' must be a number between " + (int) min + " and " + (int) max + ".", field);
        }
        chat.set(chatField, value);
    }

    private static void translateTextFormat(JsonNode text, ObjectNode chat) {
        if (text == null || text.isNull()) return;
        JsonNode format = text.get("format");
        if (format == null || format.isNull()) return;
        String type = format.path("type").asText("");
        switch (type) {
            case "text" -> { }
            case "json_object" -> chat.putObject("response_format").put("type", "json_object");
            case "json_schema" -> {
                JsonNode schema = format.get("schema");
                if (schema == null || !schema.isObject()) throw new InvalidResponsesRequest("'text.format.schema' must be an object.", "text.format.schema");
                ObjectNode responseFormat = chat.putObject("response_format");
                responseFormat.put("type", "json_schema");
                ObjectNode jsonSchema = responseFormat.putObject("json_schema");
                jsonSchema.put("name", format.path("name").asText("response"));
                if (format.hasNonNull("description")) jsonSchema.set("description", format.get("description"));
                jsonSchema.set("schema", schema);
                if (format.hasNonNull("strict")) jsonSchema.put("strict", format.get("strict").asBoolean());
            }
            default -> throw new InvalidResponsesRequest("'text.format.type' must be text, json_object or json_schema.", "text.format.type");
        }
    }

    private static String requiredText(JsonNode node, String field, String param) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new InvalidResponsesRequest(param + "." + field + " is required and must be a non-empty string.", param + "." + field);
        }
        return value.asText();
    }
}
