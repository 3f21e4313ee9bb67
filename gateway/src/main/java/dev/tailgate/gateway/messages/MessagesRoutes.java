package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.chat.ChatCaller;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.http.OpenAiRoutes;
import dev.tailgate.gateway.http.RouteRegistry;
import dev.tailgate.gateway.responses.IdGenerator;
import dev.tailgate.wire.Json;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.time.Instant;

/**
 * Registers Anthropic's Messages API: {@code POST /v1/messages}, {@code POST /v1/messages/count_tokens}, and
 * {@code GET /v1/models} in Anthropic's shape when the request carries {@code anthropic-version} (OpenAI's shape
 * otherwise: this route replaces the OpenAI one and hands such requests to it). Refusals of these requests, including
 * the router's 401/404/413, are written in Anthropic's error shape ({@link AnthropicErrors}).
 */
public final class MessagesRoutes {
    static final String PATH = "/v1/messages";
    /** Anthropic's API pings about every 15 s while a response is slow to come; so does this bridge. */
    static final Duration PING_EVERY = Duration.ofSeconds(15);

    private MessagesRoutes() {}

    /** Adds the routes to {@code registry}, serving them with the gateway's chat path {@code chat} (a {@code GatewayExtension}). */
    public static void register(Gateway gateway, ChatCaller chat, RouteRegistry registry) {
        register(gateway, chat, registry, PING_EVERY, IdGenerator.random());
    }

    /** As {@link #register(Gateway, ChatCaller, RouteRegistry)}, with the keep-alive interval and id source (tests). */
    public static void register(Gateway gateway, ChatCaller chat, RouteRegistry registry, Duration pingEvery, IdGenerator ids) {
        OpenAiRoutes openAi = new OpenAiRoutes(gateway);
        MessagesEndpoint endpoint = new MessagesEndpoint(chat, new MessagesPassthrough(gateway, openAi),
                gateway.vertx(), pingEvery, ids);
        registry.errorFormat(AnthropicErrors::applies, AnthropicErrors.FORMAT);
        registry.json(HttpMethod.POST, PATH, endpoint::handle);
        registry.json(HttpMethod.POST, PATH + "/count_tokens", endpoint::countTokens);
        registry.raw(HttpMethod.GET, "/v1/models", ex -> {
            if (ex.request().getHeader("anthropic-version") != null) anthropicModels(gateway, ex);
            else openAi.models(ex);
        });
    }

    /** Anthropic's model list: {@code data} of {@code {type, id, display_name, created_at}}, unpaged. */
    private static void anthropicModels(Gateway gateway, Exchange ex) {
        var snapshot = gateway.snapshot();
        String created = Instant.ofEpochSecond(snapshot.loadedEpochSeconds()).toString();
        ObjectNode list = Json.object();
        ArrayNode data = list.putArray("data");
        for (String alias : snapshot.config().models().keySet()) {
            if (!ex.ctx().caller().mayUse(alias)) continue;
            data.addObject().put("type", "model").put("id", alias).put("display_name", alias).put("created_at", created);
        }
        list.put("has_more", false);
        if (data.isEmpty()) {
            list.putNull("first_id");
            list.putNull("last_id");
        } else {
            list.put("first_id", data.get(0).path("id").asText());
            list.put("last_id", data.get(data.size() - 1).path("id").asText());
        }
        ex.json(200, list);
    }
}
