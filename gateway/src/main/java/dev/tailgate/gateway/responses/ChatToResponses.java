package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.bridge.ChatMessage;

/** A non-streamed chat completion → the Responses object answering the client's request. */
public final class ChatToResponses {
    private ChatToResponses() {}

    public static ObjectNode convert(JsonNode completion, ResponseContext context) {
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        String incomplete = OutputItems.incompleteReason(choice.path("finish_reason").asText(null));
        String itemStatus = incomplete == null ? "completed" : "incomplete";

        ObjectNode response = context.response(incomplete == null ? "completed" : "incomplete");
        if (incomplete != null) response.putObject("incomplete_details").put("reason", incomplete);
        ArrayNode output = (ArrayNode) response.get("output");

        String reasoning = ChatMessage.reasoning(message);
        if (reasoning != null && !reasoning.isEmpty()) output.add(OutputItems.reasoning(context.newId("rs"), reasoning));

        String content = ChatMessage.text(message.get("content"));
        if (content != null && !content.isEmpty()) output.add(OutputItems.message(context.newId("msg"), itemStatus, content));
        else if (message.hasNonNull("refusal")) output.add(OutputItems.message(context.newId("msg"), itemStatus, message.get("refusal").asText()));

        for (JsonNode call : message.path("tool_calls")) {
            JsonNode function = call.path("function");
            ToolNameMap.ToolRef tool = context.tools().resolve(function.path("name").asText(""));
            String callId = call.hasNonNull("id") ? call.get("id").asText() : context.newId("call");
            JsonNode args = function.get("arguments");
            String arguments = args == null || args.isNull() ? "" : args.isTextual() ? args.asText() : args.toString();
            output.add(OutputItems.toolCall(context.newId(OutputItems.toolItemPrefix(tool)), itemStatus, callId, tool, arguments));
        }
        response.set("usage", ResponseContext.usage(completion.get("usage")));
        return response;
    }
}
