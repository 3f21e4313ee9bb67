package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.responses.IdGenerator;
import dev.tailgate.wire.Json;
import java.util.List;

/**
 * What every piece of one Messages answer shares: its id, the model alias the client asked for, the client's stop
 * sequences, and an id source for tool-use blocks whose upstream call carried none. Also the two mappings every
 * answer needs: chat {@code finish_reason} → {@code stop_reason}, chat {@code usage} → Anthropic {@code usage}.
 */
final class MessageContext {
    private final String id;
    private final String model;
    private final List<String> stopSequences;
    private final IdGenerator ids;

    private MessageContext(String id, String model, List<String> stopSequences, IdGenerator ids) {
        this.id = id;
        this.model = model;
        this.stopSequences = stopSequences;
        this.ids = ids;
    }

    static MessageContext of(MessagesTranslation translation, IdGenerator ids) {
        return new MessageContext(ids.next("msg"), translation.model(), translation.stopSequences(), ids);
    }

    String toolUseId() {
        return ids.next("toolu");
    }

    /** A message object with no content yet and no stop reason (what {@code message_start} carries). */
    ObjectNode message() {
        ObjectNode message = Json.object();
        message.put("id", id);
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.set("usage", usage(null));
        return message;
    }

    /**
     * The stop reason and matched stop sequence for a chat choice. Chat's {@code stop} does not say whether a stop
     * sequence matched; vLLM-style upstreams name it in the choice's {@code stop_reason}, others count as end_turn.
     */
    Stop stop(String finishReason, JsonNode choice, boolean toolCalls) {
        if (toolCalls || "tool_calls".equals(finishReason) || "function_call".equals(finishReason)) return new Stop("tool_use", null);
        if ("length".equals(finishReason)) return new Stop("max_tokens", null);
        if ("content_filter".equals(finishReason)) return new Stop("refusal", null);
        JsonNode matched = choice == null ? null : choice.get("stop_reason");
        if (matched != null && matched.isTextual() && stopSequences.contains(matched.asText())) return new Stop("stop_sequence", matched.asText());
        return new Stop("end_turn", null);
    }

    record Stop(String reason, String sequence) {}

    /** Chat usage → Anthropic usage; zeros when the upstream reported none. Nothing is cached on chat targets. */
    static ObjectNode usage(JsonNode chatUsage) {
        ObjectNode usage = Json.object();
        usage.put("input_tokens", chatUsage == null ? 0 : chatUsage.path("prompt_tokens").asLong(0));
        usage.put("cache_creation_input_tokens", 0);
        usage.put("cache_read_input_tokens", 0);
        usage.put("output_tokens", chatUsage == null ? 0 : chatUsage.path("completion_tokens").asLong(0));
        return usage;
    }
}
