package dev.tailgate.gateway.responses;

import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.chat.ChatCaller;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.http.OpenAiRoutes;
import dev.tailgate.gateway.http.RouteRegistry;
import dev.tailgate.wire.ApiError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.time.Clock;

/**
 * Registers {@code /v1/responses}: {@code POST} is the Responses API (bridged or passed through); a WebSocket
 * handshake ({@code GET} with {@code Upgrade: websocket}, which Codex tries first when a provider is configured with
 * {@code supports_websockets = true}) is refused with 426, the status on which Codex falls back to HTTP + SSE.
 */
public final class ResponsesRoutes {
    static final String PATH = "/v1/responses";

    static final ApiError WEBSOCKET_REFUSED = new ApiError(426, "invalid_request_error", "websocket_not_supported",
            "This gateway serves /v1/responses over HTTP with server-sent events only; WebSocket is not supported.", null, null);

    private ResponsesRoutes() {}

    /** Adds the routes to {@code registry}, serving them with the gateway's chat path {@code chat} (a {@code GatewayExtension}). */
    public static void register(Gateway gateway, ChatCaller chat, RouteRegistry registry) {
        register(gateway, chat, registry, Clock.systemUTC());
    }

    /** As {@link #register(Gateway, ChatCaller, RouteRegistry)}, with the clock that stamps {@code created_at}. */
    public static void register(Gateway gateway, ChatCaller chat, RouteRegistry registry, Clock clock) {
        ResponsesEndpoint endpoint = new ResponsesEndpoint(chat, new OpenAiRoutes(gateway), clock, IdGenerator.random());
        registry.json(HttpMethod.POST, PATH, endpoint::handle);
        registry.raw(HttpMethod.GET, PATH, ResponsesRoutes::refuseGet);
    }

    private static void refuseGet(Exchange ex) {
        String upgrade = ex.request().getHeader(HttpHeaders.UPGRADE);
        if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
            ex.fail(WEBSOCKET_REFUSED);
            return;
        }
        ex.response().putHeader("Allow", "POST");
        ex.fail(ApiError.methodNotAllowed("Stored responses cannot be retrieved: this gateway stores nothing. Use POST " + PATH + "."));
    }
}
