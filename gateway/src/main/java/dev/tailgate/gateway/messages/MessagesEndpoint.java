package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.chat.ChatCaller;
import dev.tailgate.gateway.chat.ChatStreamListener;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.responses.IdGenerator;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
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
 * <p>Until the first upstream chunk nothing has been sent, so a failure (after the gateway's fallback) is a plain HTTP
 * error in Anthropic's shape; after it, the stream ends with an {@code error} event, never a fake {@code message_stop}.
 */
final class MessagesEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(MessagesEndpoint.class);

    private final ChatCaller chat;
    private final MessagesPassthrough passthrough;
    private final Vertx vertx;
    private final Duration pingEvery;
    private final IdGenerator ids;

    MessagesEndpoint(ChatCaller chat, MessagesPassthrough passthrough, Vertx vertx, Duration pingEvery, IdGenerator ids) {
        this.chat = Objects.requireNonNull(chat);
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
        chat.complete(ex.ctx(), translation.chatRequest()).onComplete(result -> {
            if (result.failed()) {
                ex.fail(ApiException.of(result.cause()));
                return;
            }
            ObjectNode answer;
            try {
                answer = ChatToMessages.convert(result.result(), context);
            } catch (RuntimeException e) {
                ex.fail(ApiError.upstream("The upstream answer could not be read as a chat completion."));
                return;
            }
            ex.json(200, answer);
        });
    }

    private void stream(Exchange ex, MessagesTranslation translation, MessageContext context) {
        HttpServerResponse response = ex.response();
        MessagesStreamBridge bridge = new MessagesStreamBridge(context, event -> {
            if (!response.closed() && !response.ended()) response.write(Buffer.buffer(event.toSseBytes()));
        });
        long[] pinger = {-1};
        Runnable stopPings = () -> {
            if (pinger[0] >= 0) vertx.cancelTimer(pinger[0]);
            pinger[0] = -1;
        };
        Runnable begin = () -> {
            if (bridge.started()) return;
            openStream(response);
            bridge.start();
            // Keep-alives while a slow upstream (a local model prefilling a long prompt) is quiet.
            pinger[0] = vertx.setPeriodic(pingEvery.toMillis(), id -> {
                if (bridge.finished()) stopPings.run();
                else bridge.ping();
            });
        };
        ChatCaller.Call call = chat.stream(ex.ctx(), translation.chatRequest(), new ChatStreamListener() {
            @Override
            public void onChunk(ObjectNode chunk) {
                begin.run();
                bridge.onChunk(chunk);
                if (bridge.finished()) end(ex, stopPings);
            }

            @Override
            public void onComplete() {
                begin.run();
                bridge.onEnd();
                end(ex, stopPings);
            }

            @Override
            public void onError(ApiError error, boolean afterFirstChunk) {
                if (!bridge.started()) {
                    ex.fail(error);
                    return;
                }
                bridge.onError(error);
                end(ex, stopPings);
            }
        });
        ex.onClose(() -> {
            stopPings.run();
            if (!bridge.finished()) call.cancel();
        });
    }

    static void openStream(HttpServerResponse response) {
        if (response.closed() || response.headWritten()) return;
        response.setStatusCode(200).setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader("X-Accel-Buffering", "no");
    }

    /** Ends the stream once the usage row is committed (see {@link Exchange#endAfterUsageRow}). */
    private static void end(Exchange ex, Runnable stopPings) {
        stopPings.run();
        HttpServerResponse response = ex.response();
        ex.endAfterUsageRow(() -> {
            if (!response.ended() && !response.closed()) response.end();
        });
    }
}
