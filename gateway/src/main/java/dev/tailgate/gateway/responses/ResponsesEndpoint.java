package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/responses} for upstreams that speak only chat completions: translate the request, send it through
 * the gateway's chat path ({@link ChatBackend}), translate the answer back — as one JSON object or as Responses SSE.
 *
 * <p>Failure semantics follow the chat relay: until the first upstream chunk arrives nothing has been sent to the
 * client, so a failure (after the gateway's fallback) is a plain HTTP error with the OpenAI error body; after it, the
 * stream ends with {@code error} + {@code response.failed}, never silently.
 */
public final class ResponsesEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(ResponsesEndpoint.class);

    /** Codex falls back from its WebSocket transport to HTTP+SSE exactly on 426 (codex-rs core client). */
    static final ApiError WEBSOCKET_REFUSED = new ApiError(426, "invalid_request_error", "websocket_not_supported",
            "This gateway serves /v1/responses over HTTP with server-sent events only; WebSocket is not supported.", null, null);

    private final ChatBackend backend;
    private final Clock clock;
    private final IdGenerator ids;

    public ResponsesEndpoint(ChatBackend backend, Clock clock, IdGenerator ids) {
        this.backend = Objects.requireNonNull(backend);
        this.clock = Objects.requireNonNull(clock);
        this.ids = Objects.requireNonNull(ids);
    }

    /** True for a WebSocket handshake (Codex tries one first when a provider says it supports WebSockets). */
    public static boolean isWebSocketUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    /** Refuses a WebSocket handshake with 426, which makes Codex retry the turn over HTTP. */
    public static void refuseWebSocket(HttpServerResponse response) {
        writeError(response, WEBSOCKET_REFUSED);
    }

    /** Serves one request whose body has already been read (and size-limited) by the gateway. */
    public void handle(HttpServerRequest request, Buffer body) {
        HttpServerResponse response = request.response();
        JsonNode json;
        ChatTranslation translation;
        try {
            json = Json.parse(body.getBytes());
            translation = ResponsesRequestTranslator.translate(json);
        } catch (Json.BadJsonException e) {
            writeError(response, ApiError.badRequest(e.getMessage()));
            return;
        } catch (InvalidResponsesRequest e) {
            writeError(response, e.error());
            return;
        }
        if (!translation.notes().isEmpty()) LOG.debug("responses bridge: {}", translation.notes());
        ResponseContext context = ResponseContext.of(json, translation, ids, clock);
        if (translation.stream()) stream(request, translation, context);
        else complete(request, translation, context);
    }

    private void complete(HttpServerRequest request, ChatTranslation translation, ResponseContext context) {
        HttpServerResponse response = request.response();
        backend.complete(request, translation.chatRequest()).onComplete(result -> {
            if (result.succeeded()) {
                ObjectNode answer;
                try {
                    answer = ChatToResponses.convert(result.result(), context);
                } catch (RuntimeException e) {
                    writeError(response, ApiError.upstream("The upstream answer could not be read as a chat completion."));
                    return;
                }
                if (!response.ended() && !response.closed()) {
                    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(Buffer.buffer(Json.bytes(answer)));
                }
            } else {
                writeError(response, errorOf(result.cause()));
            }
        });
    }

    private void stream(HttpServerRequest request, ChatTranslation translation, ResponseContext context) {
        HttpServerResponse response = request.response();
        ResponsesStreamBridge bridge = new ResponsesStreamBridge(context, event -> {
            if (!response.closed() && !response.ended()) response.write(Buffer.buffer(event.toSseBytes()));
        });
        ChatBackend.Cancel cancel = backend.stream(request, translation.chatRequest(), new ChatBackend.StreamListener() {
            @Override
            public void onChunk(ObjectNode chunk) {
                if (!bridge.started()) openStream(response);
                bridge.onChunk(chunk);
                if (bridge.finished()) endStream(response);
            }

            @Override
            public void onEnd() {
                if (!bridge.started()) openStream(response);
                bridge.onEnd();
                endStream(response);
            }

            @Override
            public void onError(ApiError error, boolean beforeFirstChunk) {
                if (!bridge.started()) {
                    writeError(response, error);
                    return;
                }
                bridge.onError(error);
                endStream(response);
            }
        });
        response.closeHandler(v -> {
            if (!bridge.finished()) cancel.cancel();
        });
    }

    private static void openStream(HttpServerResponse response) {
        if (response.closed() || response.headWritten()) return;
        response.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    }

    private static void endStream(HttpServerResponse response) {
        if (!response.ended() && !response.closed()) response.end();
    }

    private static ApiError errorOf(Throwable cause) {
        if (cause instanceof ChatBackend.BackendFailure failure) return failure.error();
        LOG.warn("responses bridge: unexpected backend failure: {}", cause.toString());
        return ApiError.upstream("The upstream request failed.");
    }

    static void writeError(HttpServerResponse response, ApiError error) {
        if (response.ended() || response.closed() || response.headWritten()) return;
        response.setStatusCode(error.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        String retryAfter = error.retryAfterHeader();
        if (retryAfter != null) response.putHeader(HttpHeaders.RETRY_AFTER, retryAfter);
        response.end(Buffer.buffer(error.toBytes()));
    }
}
