package dev.tailgate.gateway.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.ProviderConfig;
import io.vertx.core.Future;
import java.util.List;

/**
 * Internal API: run a chat completion through the gateway's full request path — alias check (404/403), target
 * selection (the routing policy, incl. privacy), per-provider limits (429),
 * fallback before the first byte, timeouts (504) and model rewrite (alias → upstream model → alias) — without going
 * through HTTP. Built for the {@code /v1/responses} bridge.
 *
 * <p>How to use it from a route (see {@link dev.tailgate.gateway.http.RouteRegistry} and
 * {@link dev.tailgate.gateway.GatewayServer.Options#extension}):
 * <pre>{@code
 * // a GatewayExtension: (gateway, caller, registry) -> ..., caller = the gateway's one chat caller
 * registry.json(HttpMethod.POST, "/v1/responses", (ex, body, raw) -> {
 *     ObjectNode chat = ...;                       // built from body, "model" = the client's alias
 *     caller.complete(ex.ctx(), chat)
 *           .onSuccess(completion -> ex.json(200, toResponses(completion)))
 *           .onFailure(err -> ex.fail(ApiException.of(err)));
 *     // or, streaming:
 *     ChatCaller.Call call = caller.stream(ex.ctx(), chat, listener);
 *     ex.onClose(call::cancel);                    // client went away: stop the upstream request
 * });
 * }</pre>
 * {@code ctx} is the context of the HTTP request being served (it holds the authenticated caller, the privacy flag,
 * the request id, and receives model/provider for the access log). Everything completes on the event loop.
 */
public interface ChatCaller {

    /**
     * Non-streamed completion. {@code chatBody} is a chat-completions request whose {@code model} is the alias;
     * {@code stream} is forced to false. Completes with the upstream JSON (model set to the alias) or fails with an
     * {@link dev.tailgate.gateway.ApiException} carrying the error for the client.
     */
    Future<ObjectNode> complete(RequestContext ctx, ObjectNode chatBody);

    /**
     * Streamed completion. {@code stream} is forced to true (ask with {@link StreamUsage#ask(ObjectNode)} if you want
     * the usage chunk). Events go to {@code listener}; {@link Call#cancel()} stops the upstream request.
     */
    Call stream(RequestContext ctx, ObjectNode chatBody, ChatStreamListener listener);

    /**
     * The providers (in the order they would be tried) that would serve {@code alias} for this caller — e.g. to
     * see whether the first one has {@code responses_api: true} and can take {@code /v1/responses} unchanged.
     * Throws {@link dev.tailgate.gateway.ApiException} (404/403/503) exactly as a call would.
     */
    List<ProviderConfig> providersFor(RequestContext ctx, String alias);

    /** A running streamed call. */
    interface Call {
        void cancel();
    }
}
