package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.bridge.BridgedChat;
import dev.tailgate.gateway.chat.ChatCaller;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.responses.IdGenerator;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/messages} and {@code POST /v1/messages/count_tokens}. When every target of the model is a provider
 * with {@code messages_api: true} the body goes through unchanged ({@link MessagesPassthrough}). Otherwise it is
 * translated to chat completions, sent through the gateway's chat path ({@link ChatCaller}: target selection, privacy,
 * limits, fallback, timeouts, ledger) and the answer translated back — as one message or as Messages SSE.
 *
 * <p>Failure semantics are {@link BridgedChat}'s: an error in Anthropic's shape until the first chunk; after it, the
 * stream ends with an {@code error} event, never a fake {@code message_stop}.
 */
final class MessagesEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(MessagesEndpoint.class);

    private final ChatCaller chat;
    private final BridgedChat bridged;
    private final MessagesPassthrough passthrough;
    private final Vertx vertx;
    private final Duration pingEvery;
    private final IdGenerator ids;

    MessagesEndpoint(ChatCaller chat, MessagesPassthrough passthrough, Vertx vertx, Duration pingEvery, IdGenerator ids) {
        this.chat = Objects.requireNonNull(chat);
        this.bridged = new BridgedChat(chat);
        this.passthrough = Objects.requireNonNull(passthrough);
        this.vertx = Objects.requireNonNull(vertx);
        this.pingEvery = Objects.requireNonNull(pingEvery);
        this.ids = Objects.requireNonNull(ids);
    }

    void handle(Exchange ex, ObjectNode body, Buffer raw) {
        String alias = dev.tailgate.gateway.ModelNames.require(model(body));
        ex.ctx().model(alias);
        ex.ctx().estimatedPromptTokens(PromptSize.estimate(body));
        // Throws 404/403/503 (unknown model, not allowed, no private route) exactly as a chat request would.
        List<ProviderConfig> providers = chat.providersFor(ex.ctx(), alias);
        if (!providers.isEmpty() && providers.stream().allMatch(ProviderConfig::messagesApi)) {
            passthrough.forward(ex, alias, raw, body.path("stream").asBoolean(false));
            return;
        }
        MessagesTranslation translation = translate(body);
        if (!translation.notes().isEmpty()) LOG.debug("rid={} messages bridge: {}", ex.ctx().requestId(), translation.notes());
        MessageContext context = MessageContext.of(translation, ids);
        if (translation.stream()) stream(ex, translation, context);
        else complete(ex, translation, context);
    }

    /**
     * {@code {"input_tokens": n}}: the gateway's own estimate, the number routing uses for context windows and budgets.
     * The model must exist and be allowed for the key (404/403), and a bridged request must be translatable (400).
     */
    void countTokens(Exchange ex, ObjectNode body, Buffer raw) {
        String alias = model(body);
        List<ProviderConfig> providers = chat.providersFor(ex.ctx(), alias);
        // Counting is not a model request: no usage row, no rate-limit charge beyond the check above.
        ex.ctx().model(null);
        if (providers.isEmpty() || !providers.stream().allMatch(ProviderConfig::messagesApi)) {
            ObjectNode check = body.deepCopy();
            if (!check.has("max_tokens")) check.put("max_tokens", 1); // count_tokens requests carry none
            translate(check);
        }
        ex.json(200, dev.tailgate.wire.Json.object().put("input_tokens", PromptSize.estimate(body)));
    }

    private static String model(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new ApiException(ApiError.badRequest("model: Field required (a non-empty string).", "model"));
        }
        return model.asText();
    }

    private static MessagesTranslation translate(ObjectNode body) {
        try {
            return MessagesRequestTranslator.translate(body);
        } catch (InvalidMessagesRequest e) {
            throw new ApiException(e.error());
        }
    }

    private void complete(Exchange ex, MessagesTranslation translation, MessageContext context) {
        bridged.complete(ex, translation.chatRequest(), completion -> ChatToMessages.convert(completion, context));
    }

    /** With a {@code ping} every {@code pingEvery} while a slow upstream (a local model prefilling) is quiet. */
    private void stream(Exchange ex, MessagesTranslation translation, MessageContext context) {
        MessagesStreamBridge bridge = new MessagesStreamBridge(context, event -> BridgedChat.write(ex, event.toSseBytes()));
        bridged.stream(ex, translation.chatRequest(), bridge, vertx, pingEvery);
    }
}
