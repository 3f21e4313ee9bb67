package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Translates an Anthropic Messages request into a chat-completions request. Every content block type is either
 * translated or refused with a 400 naming the offending {@code param}; fields that only steer Anthropic's own servers
 * ({@code cache_control}, {@code context_management}, {@code thinking} budgets, server tools) are accepted and
 * ignored, with a note for the debug log.
 */
public final class MessagesRequestTranslator {

    /** Blocks that only Anthropic's servers can produce or run (server tools, MCP connector, code execution). */
    private static final Set<String> SERVER_BLOCKS = Set.of("server_tool_use", "web_search_tool_result", "web_fetch_tool_result",
            "code_execution_tool_result", "bash_code_execution_tool_result", "text_editor_code_execution_tool_result",
            "mcp_tool_use", "mcp_tool_result", "container_upload", "tool_search_tool_result");

    private final List<String> notes = new ArrayList<>();
    private final ArrayNode messages = Json.MAPPER.createArrayNode();
    private boolean conversationStarted;

    private MessagesRequestTranslator() {}

    /** Translates {@code request}; throws {@link InvalidMessagesRequest} for anything malformed or untranslatable. */
    public static MessagesTranslation translate(JsonNode request) {
        return new MessagesRequestTranslator().run(request);
    }

    private MessagesTranslation run(JsonNode request) {
        if (request == null || !request.isObject()) throw new InvalidMessagesRequest("The request body must be a JSON object.", null);
        ObjectNode chat = Json.object();
        JsonNode model = request.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new InvalidMessagesRequest("model: Field required (a non-empty string).", "model");
        }
        chat.put("model", model.asText());

        translateSystem(request.get("system"));
        JsonNode input = request.get("messages");
        if (input == null || !input.isArray()) throw new InvalidMessagesRequest("messages: Field required (an array).", "messages");
        for (int i = 0; i < input.size(); i++) translateMessage(input.get(i), "messages." + i);
        if (messages.isEmpty()) throw new InvalidMessagesRequest("messages: at least one message is required.", "messages");
        chat.set("messages", messages);

        JsonNode maxTokens = request.get("max_tokens");
        // canConvertToInt first: asLong() of 2^70+5 is silently 5
        if (maxTokens == null || !maxTokens.isIntegralNumber() || !maxTokens.canConvertToInt() || maxTokens.intValue() < 1) {
            throw new InvalidMessagesRequest("max_tokens: Field required (a positive integer).", "max_tokens");
        }
        chat.put("max_tokens", maxTokens.intValue());

        ArrayNode tools = translateTools(request.get("tools"));
        if (!tools.isEmpty()) chat.set("tools", tools);
        translateToolChoice(request.get("tool_choice"), chat, !tools.isEmpty());

        List<String> stops = stopSequences(request.get("stop_sequences"));
        if (!stops.isEmpty()) {
            ArrayNode stop = chat.putArray("stop");
            stops.forEach(stop::add);
        }
        copyNumber(request, "temperature", chat, 0, 1);
        copyNumber(request, "top_p", chat, 0, 1);
        JsonNode topK = request.get("top_k");
        if (topK != null && !topK.isNull()) {
            if (!topK.isIntegralNumber() || !topK.canConvertToInt() || topK.intValue() < 0) {
                throw new InvalidMessagesRequest("top_k: must be a non-negative integer.", "top_k");
            }
            chat.put("top_k", topK.intValue()); // not OpenAI's, but llama.cpp, vLLM and qwen-local take it
        }
        JsonNode user = request.path("metadata").get("user_id");
        if (user != null && user.isTextual() && !user.asText().isEmpty()) chat.put("user", user.asText());
        translateOutputConfig(request.get("output_config"), chat);

        JsonNode thinking = request.get("thinking");
        if (thinking != null && !thinking.isNull()) {
            String type = thinking.path("type").asText("");
            if (!Set.of("enabled", "disabled", "adaptive").contains(type)) {
                throw new InvalidMessagesRequest("thinking.type: must be enabled, disabled or adaptive.", "thinking.type");
            }
            // Chat upstreams have no common switch for it: a reasoning model reasons anyway, and what it sends as
            // reasoning_content comes back as thinking blocks.
            notes.add("thinking " + type + " not forwarded");
        }
        for (String ignored : List.of("context_management", "container", "mcp_servers", "service_tier")) {
            if (request.hasNonNull(ignored)) notes.add(ignored + " ignored");
        }

        JsonNode streamNode = request.get("stream");
        if (streamNode != null && !streamNode.isNull() && !streamNode.isBoolean()) {
            throw new InvalidMessagesRequest("stream: must be a boolean.", "stream");
        }
        boolean stream = streamNode != null && streamNode.asBoolean(false);
        if (stream) {
            chat.put("stream", true);
            dev.tailgate.gateway.chat.StreamUsage.ask(chat); // the bridge reads the usage chunk
        }
        return new MessagesTranslation(chat, model.asText(), stream, stops, notes);
    }

    // ---- system ------------------------------------------------------------------------------------------------------

    private void translateSystem(JsonNode system) {
        if (system == null || system.isNull()) return;
        if (system.isTextual()) {
            if (!system.asText().isEmpty()) addSystem(system.asText());
            return;
        }
        if (!system.isArray()) throw new InvalidMessagesRequest("system: must be a string or an array of text blocks.", "system");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < system.size(); i++) {
            JsonNode block = system.get(i);
            String param = "system." + i;
            if (!"text".equals(block.path("type").asText())) {
                throw new InvalidMessagesRequest(param + ": system blocks must be of type 'text'.", param + ".type");
            }
            texts.add(text(block, param));
        }
        if (!texts.isEmpty()) addSystem(String.join("\n\n", texts));
    }

    /** System text before the conversation joins the one leading system message (several chat templates take only one). */
    private void addSystem(String text) {
        ObjectNode last = messages.isEmpty() ? null : (ObjectNode) messages.get(messages.size() - 1);
        if (last != null && "system".equals(last.path("role").asText())) {
            last.put("content", last.get("content").asText() + "\n\n" + text);
            return;
        }
        messages.addObject().put("role", "system").put("content", text);
    }

    // ---- messages ----------------------------------------------------------------------------------------------------

    private void translateMessage(JsonNode message, String param) {
        if (!message.isObject()) throw new InvalidMessagesRequest(param + ": must be an object.", param);
        String role = message.path("role").asText("");
        JsonNode content = message.get("content");
        if (content == null || !(content.isTextual() || content.isArray())) {
            throw new InvalidMessagesRequest(param + ".content: must be a string or an array of content blocks.", param + ".content");
        }
        switch (role) {
            case "user" -> translateUser(content, param);
            case "assistant" -> translateAssistant(content, param);
            // Claude Code sends reminders as role "system" between turns. Before the conversation they join the system
            // prompt; after it they become a user message, since chat templates refuse a system message mid-way.
            case "system" -> {
                String text = plainText(content, param);
                if (!conversationStarted) addSystem(text);
                else messages.addObject().put("role", "user").put("content", text);
            }
            default -> throw new InvalidMessagesRequest(param + ".role: must be user or assistant.", param + ".role");
        }
    }

    private void translateUser(JsonNode content, String param) {
        conversationStarted = true;
        if (content.isTextual()) {
            messages.addObject().put("role", "user").put("content", content.asText());
            return;
        }
        // tool_result blocks come first in a user turn; each becomes a tool message right after the assistant's calls.
        ArrayNode parts = Json.MAPPER.createArrayNode();
        boolean hasMedia = false;
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            String blockParam = param + ".content." + i;
            String type = blockType(block, blockParam);
            switch (type) {
                case "text" -> parts.addObject().put("type", "text").put("text", text(block, blockParam));
                case "image" -> {
                    parts.add(imagePart(block, blockParam));
                    hasMedia = true;
                }
                case "document" -> parts.addObject().put("type", "text").put("text", documentText(block, blockParam));
                case "search_result" -> parts.addObject().put("type", "text").put("text", searchResultText(block, blockParam));
                case "tool_result" -> addToolResult(block, blockParam);
                case "tool_use", "thinking", "redacted_thinking" -> throw new InvalidMessagesRequest(
                        blockParam + ": '" + type + "' blocks belong in assistant messages.", blockParam + ".type");
                default -> throw unsupported(type, blockParam);
            }
        }
        if (parts.isEmpty()) return;
        ObjectNode user = messages.addObject().put("role", "user");
        // Plain text as a string: some chat upstreams accept content arrays only for images.
        if (hasMedia) user.set("content", parts);
        else user.put("content", joinTexts(parts));
    }

    private void translateAssistant(JsonNode content, String param) {
        conversationStarted = true;
        ObjectNode assistant = Json.object().put("role", "assistant");
        if (content.isTextual()) {
            messages.add(assistant.put("content", content.asText()));
            return;
        }
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode calls = Json.MAPPER.createArrayNode();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            String blockParam = param + ".content." + i;
            String type = blockType(block, blockParam);
            switch (type) {
                case "text" -> text.append(text(block, blockParam));
                // Reasoning goes back to the upstream that produced it: DeepSeek's thinking mode refuses a tool-call
                // turn whose reasoning_content is missing from the history.
                case "thinking" -> reasoning.append(block.path("thinking").asText(""));
                case "redacted_thinking" -> notes.add("redacted_thinking dropped (only Anthropic can read it)");
                case "tool_use" -> {
                    String id = requiredText(block, "id", blockParam);
                    String name = requiredText(block, "name", blockParam);
                    JsonNode input = block.get("input");
                    if (input != null && !input.isNull() && !input.isObject()) {
                        throw new InvalidMessagesRequest(blockParam + ".input: must be an object.", blockParam + ".input");
                    }
                    ObjectNode call = calls.addObject().put("id", id).put("type", "function");
                    call.putObject("function").put("name", name).put("arguments", input == null || input.isNull() ? "{}" : Json.string(input));
                }
                case "image", "document", "search_result", "tool_result" -> throw new InvalidMessagesRequest(
                        blockParam + ": '" + type + "' blocks are only supported in user messages.", blockParam + ".type");
                default -> throw unsupported(type, blockParam);
            }
        }
        if (text.isEmpty() && calls.isEmpty() && reasoning.isEmpty()) return; // an empty prefill says nothing
        if (text.isEmpty() && !calls.isEmpty()) assistant.putNull("content");
        else assistant.put("content", text.toString());
        if (!reasoning.isEmpty()) assistant.put("reasoning_content", reasoning.toString());
        if (!calls.isEmpty()) assistant.set("tool_calls", calls);
        messages.add(assistant);
    }

    private void addToolResult(JsonNode block, String param) {
        String id = requiredText(block, "tool_use_id", param);
        JsonNode content = block.get("content");
        String text;
        if (content == null || content.isNull()) {
            text = "";
        } else if (content.isTextual()) {
            text = content.asText();
        } else if (content.isArray()) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                String partParam = param + ".content." + i;
                String type = blockType(part, partParam);
                switch (type) {
                    case "text" -> texts.add(text(part, partParam));
                    case "document" -> texts.add(documentText(part, partParam));
                    case "search_result" -> texts.add(searchResultText(part, partParam));
                    // chat's tool messages carry text only
                    case "image" -> throw new InvalidMessagesRequest(
                            partParam + ": images in tool results cannot be sent to a chat-completions target.", partParam + ".type");
                    default -> throw unsupported(type, partParam);
                }
            }
            text = String.join("\n", texts);
        } else {
            throw new InvalidMessagesRequest(param + ".content: must be a string or an array of blocks.", param + ".content");
        }
        // Chat has no error flag on tool messages: the model learns it from the text.
        if (block.path("is_error").asBoolean(false)) text = "Error: " + text;
        messages.addObject().put("role", "tool").put("tool_call_id", id).put("content", text);
    }

    private static ObjectNode imagePart(JsonNode block, String param) {
        JsonNode source = block.path("source");
        String url = switch (source.path("type").asText("")) {
            case "base64" -> {
                String mediaType = source.path("media_type").asText("");
                if (!mediaType.startsWith("image/")) {
                    throw new InvalidMessagesRequest(param + ".source.media_type: must be an image type.", param + ".source.media_type");
                }
                yield "data:" + mediaType + ";base64," + requiredText(source, "data", param + ".source");
            }
            case "url" -> requiredText(source, "url", param + ".source");
            default -> throw new InvalidMessagesRequest(
                    param + ".source.type: must be base64 or url (file ids need Anthropic's Files API).", param + ".source.type");
        };
        ObjectNode part = Json.object().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return part;
    }

    /** A plain-text document becomes text; PDFs, URLs and files cannot reach a chat-completions target. */
    private static String documentText(JsonNode block, String param) {
        JsonNode source = block.path("source");
        String type = source.path("type").asText("");
        String body = switch (type) {
            case "text" -> requiredText(source, "data", param + ".source");
            case "content" -> {
                JsonNode content = source.get("content");
                if (content != null && content.isTextual()) yield content.asText();
                if (content == null || !content.isArray()) {
                    throw new InvalidMessagesRequest(param + ".source.content: must be a string or text blocks.", param + ".source.content");
                }
                List<String> texts = new ArrayList<>();
                for (int i = 0; i < content.size(); i++) {
                    JsonNode part = content.get(i);
                    if (!"text".equals(part.path("type").asText())) {
                        throw new InvalidMessagesRequest(param + ".source.content." + i + ": only text blocks can be sent to a chat-completions target.",
                                param + ".source.content." + i + ".type");
                    }
                    texts.add(text(part, param + ".source.content." + i));
                }
                yield String.join("\n", texts);
            }
            default -> throw new InvalidMessagesRequest(param + ".source.type: '" + type
                    + "' documents (PDF, URL, file) are not supported by chat-completions targets; send plain text (source type text).",
                    param + ".source.type");
        };
        String title = block.path("title").asText("");
        return title.isEmpty() ? body : title + "\n\n" + body;
    }

    private static String searchResultText(JsonNode block, String param) {
        StringBuilder out = new StringBuilder();
        String title = block.path("title").asText("");
        String source = block.path("source").asText("");
        if (!title.isEmpty()) out.append(title).append('\n');
        if (!source.isEmpty()) out.append(source).append('\n');
        JsonNode content = block.get("content");
        if (content == null || !content.isArray()) {
            throw new InvalidMessagesRequest(param + ".content: must be an array of text blocks.", param + ".content");
        }
        for (int i = 0; i < content.size(); i++) out.append(text(content.get(i), param + ".content." + i)).append('\n');
        return out.toString().strip();
    }

    /** The text of a role "system" message: a string or text blocks. */
    private static String plainText(JsonNode content, String param) {
        if (content.isTextual()) return content.asText();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            if (!"text".equals(block.path("type").asText())) {
                throw new InvalidMessagesRequest(param + ".content." + i + ": system messages may contain text blocks only.", param + ".content." + i + ".type");
            }
            texts.add(text(block, param + ".content." + i));
        }
        return String.join("\n\n", texts);
    }

    private static String joinTexts(ArrayNode parts) {
        List<String> texts = new ArrayList<>();
        for (JsonNode part : parts) texts.add(part.path("text").asText());
        return String.join("\n\n", texts);
    }

    private static InvalidMessagesRequest unsupported(String type, String param) {
        if (SERVER_BLOCKS.contains(type)) {
            return new InvalidMessagesRequest(param + ": '" + type
                    + "' blocks come from Anthropic's server tools, which this gateway's targets cannot run.", param + ".type");
        }
        return new InvalidMessagesRequest(param + ": unsupported content block type '" + type + "'.", param + ".type");
    }

    private static String blockType(JsonNode block, String param) {
        if (!block.isObject()) throw new InvalidMessagesRequest(param + ": must be a content block object.", param);
        String type = block.path("type").asText("");
        if (type.isEmpty()) throw new InvalidMessagesRequest(param + ".type: Field required.", param + ".type");
        return type;
    }

    private static String text(JsonNode block, String param) {
        JsonNode text = block.get("text");
        if (text == null || !text.isTextual()) throw new InvalidMessagesRequest(param + ".text: Field required (a string).", param + ".text");
        return text.asText();
    }

    private static String requiredText(JsonNode node, String field, String param) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new InvalidMessagesRequest(param + "." + field + ": Field required (a non-empty string).", param + "." + field);
        }
        return value.asText();
    }

    // ---- tools -------------------------------------------------------------------------------------------------------

    private ArrayNode translateTools(JsonNode tools) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        if (tools == null || tools.isNull()) return out;
        if (!tools.isArray()) throw new InvalidMessagesRequest("tools: must be an array.", "tools");
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String param = "tools." + i;
            if (!tool.isObject()) throw new InvalidMessagesRequest(param + ": must be an object.", param);
            String type = tool.path("type").asText("custom");
            if (!type.equals("custom")) {
                // Server tools (web_search_…, bash_…, text_editor_…, computer_…) run on Anthropic's side.
                notes.add("server tool '" + type + "' dropped (not available on chat upstreams)");
                continue;
            }
            ObjectNode function = out.addObject().put("type", "function").putObject("function");
            function.put("name", requiredText(tool, "name", param));
            if (tool.path("description").isTextual() && !tool.get("description").asText().isEmpty()) {
                function.set("description", tool.get("description"));
            }
            JsonNode schema = tool.get("input_schema");
            if (schema == null || !schema.isObject()) {
                throw new InvalidMessagesRequest(param + ".input_schema: Field required (a JSON schema object).", param + ".input_schema");
            }
            function.set("parameters", schema);
            if (tool.path("strict").asBoolean(false)) function.put("strict", true);
        }
        return out;
    }

    private void translateToolChoice(JsonNode choice, ObjectNode chat, boolean haveTools) {
        if (choice == null || choice.isNull()) return;
        if (!choice.isObject()) throw new InvalidMessagesRequest("tool_choice: must be an object.", "tool_choice");
        String type = choice.path("type").asText("");
        switch (type) {
            case "auto" -> { if (haveTools) chat.put("tool_choice", "auto"); }
            case "any" -> { if (haveTools) chat.put("tool_choice", "required"); }
            case "none" -> { if (haveTools) chat.put("tool_choice", "none"); }
            case "tool" -> {
                String name = requiredText(choice, "name", "tool_choice");
                if (!haveTools) throw new InvalidMessagesRequest("tool_choice.name: no tool named '" + name + "' was given.", "tool_choice.name");
                chat.putObject("tool_choice").put("type", "function").putObject("function").put("name", name);
            }
            default -> throw new InvalidMessagesRequest("tool_choice.type: must be auto, any, tool or none.", "tool_choice.type");
        }
        if (haveTools && choice.path("disable_parallel_tool_use").asBoolean(false)) chat.put("parallel_tool_calls", false);
    }

    // ---- sampling and format -----------------------------------------------------------------------------------------

    private static List<String> stopSequences(JsonNode stops) {
        if (stops == null || stops.isNull()) return List.of();
        if (!stops.isArray()) throw new InvalidMessagesRequest("stop_sequences: must be an array of strings.", "stop_sequences");
        List<String> out = new ArrayList<>();
        for (JsonNode stop : stops) {
            if (!stop.isTextual() || stop.asText().isEmpty()) {
                throw new InvalidMessagesRequest("stop_sequences: must be an array of non-empty strings.", "stop_sequences");
            }
            out.add(stop.asText());
        }
        return out;
    }

    private static void copyNumber(JsonNode request, String field, ObjectNode chat, double min, double max) {
        JsonNode value = request.get(field);
        if (value == null || value.isNull()) return;
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw new InvalidMessagesRequest(field + ": must be a number between " + (int) min + " and " + (int) max + ".", field);
        }
        chat.set(field, value);
    }

    /** {@code output_config.format} (structured outputs) → {@code response_format}; {@code effort} has no chat equivalent. */
    private void translateOutputConfig(JsonNode config, ObjectNode chat) {
        if (config == null || config.isNull()) return;
        if (!config.isObject()) throw new InvalidMessagesRequest("output_config: must be an object.", "output_config");
        if (config.hasNonNull("effort")) notes.add("output_config.effort ignored");
        JsonNode format = config.get("format");
        if (format == null || format.isNull()) return;
        if (!"json_schema".equals(format.path("type").asText()) || !format.path("schema").isObject()) {
            throw new InvalidMessagesRequest("output_config.format: must be {type: json_schema, schema: {...}}.", "output_config.format");
        }
        ObjectNode jsonSchema = chat.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        jsonSchema.put("name", "output");
        jsonSchema.set("schema", format.get("schema"));
    }
}
