package dev.tailgate.gateway;

import dev.tailgate.gateway.chat.ChatCaller;
import dev.tailgate.gateway.http.RouteRegistry;

/**
 * Something that adds routes (or swaps parts) when the gateway starts — e.g. the {@code /v1/responses} bridge.
 * Built-in extensions are listed in {@link GatewayExtensions#builtin()} so that every way of starting the gateway
 * (launcher, tests) gets them; tests can add more through {@link GatewayServer.Options#extension}.
 */
@FunctionalInterface
public interface GatewayExtension {
    /**
     * Called once, before the server listens, on the thread that starts the gateway. {@code chat} is the gateway's one
     * chat caller (the same request path HTTP chat requests take), shared by every extension.
     */
    void register(Gateway gateway, ChatCaller chat, RouteRegistry routes);
}
