package dev.tailgate.gateway.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.chat.ChatCaller;
import dev.tailgate.gateway.chat.ChatStreamListener;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.http.SseResponse;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.function.Function;

/**
 * Serves a request translated to chat completions through the gateway's chat path ({@link ChatCaller}: target
 * selection, privacy, limits, fallback, timeouts, ledger) and answers in the client's API.
 *
 * <p>Failure semantics follow the chat relay: until the first upstream chunk nothing has been sent to the client, so
 * a failure (after the gateway's fallback) is a plain HTTP error in the exchange's error format; after it, the
 * translator ends the stream with its API's error events, never silently.
 */
public final class BridgedChat {
    private final ChatCaller chat;

    public BridgedChat(ChatCaller chat) {
        this.chat = chat;
    }

    /** Non-streamed: the completion, {@code convert}ed, as one JSON answer. */
    public void complete(Exchange ex, ObjectNode chatRequest, Function<ObjectNode, ObjectNode> convert) {
        chat.complete(ex.ctx(), chatRequest).onComplete(result -> {
            if (result.failed()) {
                ex.fail(ApiException.of(result.cause()));
                return;
            }
            ObjectNode answer;
            try {
                answer = convert.apply(result.result());
            } catch (RuntimeException e) {
                ex.fail(ApiError.upstream("The upstream answer could not be read as a chat completion."));
                return;
            }
            ex.json(200, answer);
        });
    }

    /** Where a translator writes its events: the client's SSE stream, while it is open. */
    public static void write(Exchange ex, byte[] sseEvent) {
        HttpServerResponse response = ex.response();
        if (!response.closed() && !response.ended()) response.write(Buffer.buffer(sseEvent));
    }

    /**
     * Streamed: chunks through {@code translator} to the client. {@code keepAlive} (with {@code vertx}): how often
     * the translator pings while the upstream is quiet (a local model prefilling a long prompt); null for none.
     */
    public void stream(Exchange ex, ObjectNode chatRequest, ChatStreamTranslator translator, Vertx vertx, Duration keepAlive) {
        Pings pings = new Pings(vertx, keepAlive, translator);
        ChatCaller.Call call = chat.stream(ex.ctx(), chatRequest, new ChatStreamListener() {
            @Override
            public void onChunk(ObjectNode chunk) {
                begin();
                translator.onChunk(chunk);
                if (translator.finished()) end();
            }

            @Override
            public void onComplete() {
                begin();
                translator.onEnd();
                end();
            }

            @Override
            public void onError(ApiError error, boolean afterFirstChunk) {
                if (!translator.started()) {
                    ex.fail(error);
                    return;
                }
                translator.onError(error);
                end();
            }

            private void begin() {
                if (translator.started()) return;
                SseResponse.open(ex.response());
                translator.start();
                pings.start();
            }

            /** Ends the stream once the usage row is committed (see {@link Exchange#endWith}). */
            private void end() {
                pings.stop();
                ex.endWith(null);
            }
        });
        ex.onClose(() -> {
            pings.stop();
            if (!translator.finished()) call.cancel();
        });
    }

    /** The keep-alive timer of one stream. */
    private static final class Pings {
        private final Vertx vertx;
        private final Duration every;
        private final ChatStreamTranslator translator;
        private long timer = -1;

        Pings(Vertx vertx, Duration every, ChatStreamTranslator translator) {
            this.vertx = vertx;
            this.every = every;
            this.translator = translator;
        }

        void start() {
            if (every == null || timer >= 0) return;
            timer = vertx.setPeriodic(every.toMillis(), id -> {
                if (translator.finished()) stop();
                else translator.ping();
            });
        }

        void stop() {
            if (timer >= 0) vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
