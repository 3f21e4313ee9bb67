package dev.tailgate.gateway;

import java.util.List;

/**
 * The extensions every gateway starts with. To plug in a feature package (e.g. {@code dev.tailgate.gateway.responses}),
 * add its registrar here: {@code return List.of(new ResponsesRoutes()::register);}
 */
public final class GatewayExtensions {
    private GatewayExtensions() {}

    public static List<GatewayExtension> builtin() {
        return List.of(dev.tailgate.gateway.responses.ResponsesRoutes::register, // POST /v1/responses
                dev.tailgate.gateway.messages.MessagesRoutes::register); // POST /v1/messages (Anthropic)
    }
}
