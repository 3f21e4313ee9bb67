package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.bridge.BridgedChat;
import dev.tailgate.gateway.chat.ChatCaller;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.http.ClientRelays;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.http.OpenAiRoutes;
import dev.tailgate.wire.ApiError;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/responses}. When every target of the model is a provider with {@code responses_api: true}, the body
 * goes through unchanged (only {@code model} rewritten), on the same path as chat requests. Otherwise the request is
 * translated to chat completions, sent through the gateway's chat path ({@link ChatCaller}: target selection, privacy,
 * limits, fallback, timeouts) and the answer translated back — as one JSON object or as Responses SSE.
 *
 * <p>Failure semantics are {@link BridgedChat}'s: an OpenAI error body until the first chunk; after it, the stream
 * ends with {@code error} + {@code response.failed}, never silently.
 */
public final class ResponsesEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ResponsesEndpoint.class);

    private final ChatCaller chat;
    private final BridgedChat bridged;
    private final OpenAiRoutes passthrough;
    private final Clock clock;
    private final IdGenerator ids;

    public ResponsesEndpoint(ChatCaller chat, OpenAiRoutes passthrough, Clock clock, IdGenerator ids) {
        this.chat = Objects.requireNonNull(chat);
        this.bridged = new BridgedChat(chat);
        this.passthrough = Objects.requireNonNull(passthrough);
        this.clock = Objects.requireNonNull(clock);
        this.ids = Objects.requireNonNull(ids);
    }

    /** Serves one request; {@code body} is the parsed JSON object, {@code raw} its bytes (for passthrough). */
    public void handle(Exchange ex, ObjectNode body, Buffer raw) {
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw new ApiException(ApiError.badRequest("'model' is required and must be a non-empty string.", "model"));
        }
        String alias = dev.tailgate.gateway.ModelNames.require(model.asText());
        ex.ctx().model(alias);
        ex.ctx().estimatedPromptTokens(dev.tailgate.gateway.policy.PromptTokens.estimate(body));
        // Throws 404/403/503 (unknown model, not allowed, no private route) exactly as a chat request would.
        List<ProviderConfig> providers = chat.providersFor(ex.ctx(), alias);
        if (!providers.isEmpty() && providers.stream().allMatch(ProviderConfig::responsesApi)) {
            boolean stream = body.path("stream").asBoolean(false);
            passthrough.forward(ex, "/responses", alias, raw, stream ? ResponsesPassthroughRelay.sse(ex) : ClientRelays.json(ex, alias));
            return;
        }
        ChatTranslation translation;
        try {
            translation = ResponsesRequestTranslator.translate(body);
        } catch (InvalidResponsesRequest e) {
            throw new ApiException(e.error());
        }
        if (!translation.notes().isEmpty()) LOG.debug("rid={} responses bridge: {}", ex.ctx().requestId(), translation.notes());
        ResponseContext context = ResponseContext.of(body, translation, ids, clock);
        if (translation.stream()) stream(ex, translation, context);
        else complete(ex, translation, context);
    }

    private void complete(Exchange ex, ChatTranslation translation, ResponseContext context) {
        bridged.complete(ex, translation.chatRequest(), completion -> ChatToResponses.convert(completion, context));
    }

    private void stream(Exchange ex, ChatTranslation translation, ResponseContext context) {
        ResponsesStreamBridge bridge = new ResponsesStreamBridge(context, event -> BridgedChat.write(ex, event.toSseBytes()));
        bridged.stream(ex, translation.chatRequest(), bridge, null, null);
    }
}
