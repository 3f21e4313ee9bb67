package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.bridge.ChatMessage;
import dev.tailgate.wire.Json;

/** A non-streamed chat completion → the Anthropic message answering the client's request. */
final class ChatToMessages {
    private ChatToMessages() {}

    static ObjectNode convert(JsonNode completion, MessageContext context) {
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        ObjectNode out = context.message();
        ArrayNode content = (ArrayNode) out.get("content");

        String reasoning = ChatMessage.reasoning(message);
        if (reasoning != null && !reasoning.isEmpty()) {
            content.addObject().put("type", "thinking").put("thinking", reasoning).put("signature", "");
        }
        String text = ChatMessage.text(message.get("content"));
        if (text == null || text.isEmpty()) text = ChatMessage.text(message.get("refusal"));
        if (text != null && !text.isEmpty()) content.addObject().put("type", "text").put("text", text);

        JsonNode calls = message.path("tool_calls");
        for (JsonNode call : calls) {
            JsonNode function = call.path("function");
            ObjectNode block = content.addObject().put("type", "tool_use");
            block.put("id", call.hasNonNull("id") && !call.get("id").asText().isEmpty() ? call.get("id").asText() : context.toolUseId());
            block.put("name", function.path("name").asText(""));
            block.set("input", ToolInput.parse(function.get("arguments")));
        }
        MessageContext.Stop stop = context.stop(choice.path("finish_reason").asText(null), choice, !calls.isEmpty());
        out.put("stop_reason", stop.reason());
        if (stop.sequence() != null) out.put("stop_sequence", stop.sequence());
        out.set("usage", MessageContext.usage(completion.get("usage")));
        return out;
    }
}
