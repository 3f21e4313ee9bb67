package dev.tailgate.gateway.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.chat.StreamUsage;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.policy.PromptTokens;
import dev.tailgate.gateway.upstream.Dispatcher;
import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.gateway.upstream.UpstreamBody;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.JsonSplice;
import dev.tailgate.wire.openai.ChatRequest;
import dev.tailgate.wire.openai.EmbeddingsRequest;
import dev.tailgate.wire.openai.ModelInfo;
import dev.tailgate.wire.openai.ModelList;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI surface. Request bodies are validated through the typed wire records but forwarded as the client's own
 * bytes with only {@code model} spliced (alias → upstream model), so unknown fields pass through untouched.
 */
public final class OpenAiRoutes {
    private static final Logger PROMPTS = LoggerFactory.getLogger("tailgate.prompts");

    private final Gateway gateway;

    public OpenAiRoutes(Gateway gateway) {
        this.gateway = gateway;
    }

    public void register(GatewayRouter router) {
        router.raw(HttpMethod.GET, "/v1/models", this::models);
        router.rawPrefix(HttpMethod.GET, "/v1/models/", this::model);
        router.json(HttpMethod.POST, "/v1/chat/completions", OpenAiRoutes::checkChat, this::chat);
        router.json(HttpMethod.POST, "/v1/embeddings", OpenAiRoutes::checkEmbeddings, this::embeddings);
        router.json(HttpMethod.POST, "/v1/audio/speech", this::speech);
        router.raw(HttpMethod.POST, "/v1/audio/transcriptions", new TranscriptionsRoute(gateway, "/audio/transcriptions")::handle);
        router.raw(HttpMethod.POST, "/v1/audio/translations", new TranscriptionsRoute(gateway, "/audio/translations")::handle);
    }

    /** {@code GET /v1/models} in OpenAI's shape; public for the route that also serves Anthropic's shape there. */
    public void models(Exchange ex) {
        var snap = gateway.snapshot();
        List<ModelInfo> data = snap.config().models().keySet().stream()
                .filter(a -> ex.ctx().caller().mayUse(a))
                .map(a -> ModelInfo.of(a, snap.loadedEpochSeconds(), "tailgate")).toList();
        ex.json(200, ModelList.of(data));
    }

    private void model(Exchange ex) {
        String rawId = ex.request().path().substring("/v1/models/".length());
        String id;
        try {
            id = java.net.URLDecoder.decode(rawId, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) { // "%ZZ": no model can have that id (was a 500)
            throw new dev.tailgate.gateway.ApiException(ApiError.modelNotFound(rawId));
        }
        gateway.route(ex.ctx(), id); // 404 / 403
        ex.json(200, ModelInfo.of(id, gateway.snapshot().loadedEpochSeconds(), "tailgate"));
    }

    /**
     * A validated request, its prompt estimate and where its top-level {@code model} sits in the raw bytes: pure work
     * on the body, done where the body was parsed (a worker for a large one).
     */
    private record Checked<R>(R request, long promptTokens, JsonSplice.Span model) {}

    private static Checked<ChatRequest> checkChat(ObjectNode body, Buffer raw) {
        ChatRequest req = ChatRequest.parse(body);
        requireTokenCount(body, "max_tokens");
        requireTokenCount(body, "max_completion_tokens");
        return new Checked<>(req, PromptTokens.estimate(body), JsonSplice.find(raw.getBytes(), "model"));
    }

    private static Checked<EmbeddingsRequest> checkEmbeddings(ObjectNode body, Buffer raw) {
        return new Checked<>(EmbeddingsRequest.parse(body), PromptTokens.estimate(body), JsonSplice.find(raw.getBytes(), "model"));
    }

    private void chat(Exchange ex, ObjectNode body, Buffer raw, Checked<ChatRequest> checked) {
        ChatRequest req = checked.request();
        if (gateway.config().logPrompts()) PROMPTS.info("rid={} client={} body={}", ex.ctx().requestId(), ex.ctx().caller().name(), body);
        ex.ctx().estimatedPromptTokens(checked.promptTokens());
        if (!req.stream()) {
            forward(ex, "/chat/completions", req.model(), raw, checked.model(), ClientRelays.json(ex, req.model()));
            return;
        }
        // Usage is never missing from the ledger: upstream is always asked for the final usage chunk; a client that
        // did not ask for it does not get it.
        boolean clientAsked = StreamUsage.asked(body);
        Buffer sent = clientAsked ? raw : StreamUsage.ask(body, raw);
        forward(ex, "/chat/completions", req.model(), sent, ClientRelays.chatSse(ex, req.model(), !clientAsked));
    }

    /**
     * A token limit must be a whole number a provider can hold: 1e309 or 2^70 would otherwise travel on to an upstream
     * (or qwen-local) that may overflow, and the client would get a confusing upstream error instead of a clear 400.
     */
    private static void requireTokenCount(ObjectNode body, String field) {
        var n = body.get(field);
        if (n == null || n.isNull()) return;
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
            throw new dev.tailgate.gateway.ApiException(ApiError.badRequest(
                    "'" + field + "' must be a whole number between 1 and " + Integer.MAX_VALUE, field));
        }
    }

    private void embeddings(Exchange ex, ObjectNode body, Buffer raw, Checked<EmbeddingsRequest> checked) {
        EmbeddingsRequest req = checked.request();
        ex.ctx().estimatedPromptTokens(checked.promptTokens());
        forward(ex, "/embeddings", req.model(), raw, checked.model(), ClientRelays.json(ex, req.model()));
    }

    private void speech(Exchange ex, ObjectNode body, Buffer raw) {
        var m = body.get("model");
        if (m == null || !m.isTextual()) throw new dev.tailgate.gateway.ApiException(ApiError.badRequest("you must provide a 'model' parameter", "model"));
        var input = body.get("input");
        if (input == null || !input.isTextual()) throw new dev.tailgate.gateway.ApiException(ApiError.badRequest("'input' must be a string", "input"));
        ex.ctx().estimatedPromptTokens(PromptTokens.estimate(body));
        forward(ex, "/audio/speech", m.textValue(), raw, ClientRelays.binary(ex));
    }

    /**
     * Sends the client's JSON body to the targets of {@code alias}, with only the top-level {@code model} replaced per
     * target, and relays the answer. Public so that other routes (e.g. a {@code /v1/responses} passthrough to a
     * provider with {@code responses_api: true}) reuse exactly this path.
     */
    public void forward(Exchange ex, String upstreamPath, String alias, Buffer raw, Relay<?> relay) {
        forward(ex, upstreamPath, alias, raw, (t, body) -> body, relay);
    }

    /**
     * As above, each target's body passed through {@code perTarget} on its way out (e.g. the headers a provider's own
     * API needs, as {@code /v1/messages} to {@code messages_api: true} providers).
     */
    public void forward(Exchange ex, String upstreamPath, String alias, Buffer raw,
                        java.util.function.BiFunction<Target, UpstreamBody, UpstreamBody> perTarget, Relay<?> relay) {
        byte[] bytes = raw.getBytes();
        forward(ex, upstreamPath, alias, bytes, JsonSplice.find(bytes, "model"), perTarget, relay);
    }

    /** As above, with the {@code model} span of {@code bytes} already found (each target's body is then a copy). */
    private void forward(Exchange ex, String upstreamPath, String alias, Buffer raw, JsonSplice.Span model, Relay<?> relay) {
        forward(ex, upstreamPath, alias, raw.getBytes(), model, (t, body) -> body, relay);
    }

    private void forward(Exchange ex, String upstreamPath, String alias, byte[] bytes, JsonSplice.Span model,
                         java.util.function.BiFunction<Target, UpstreamBody, UpstreamBody> perTarget, Relay<?> relay) {
        ModelRoute route = gateway.route(ex.ctx(), alias);
        List<Target> targets = gateway.targets(ex.ctx(), route);
        Dispatcher.Plan plan = new Dispatcher.Plan(ex.ctx(), targets, route.fallback(), HttpMethod.POST, upstreamPath,
                t -> perTarget.apply(t, UpstreamBody.bytes(Buffer.buffer(JsonSplice.replace(bytes, model, t.upstreamModel())), "application/json")));
        Dispatcher.Handle h = gateway.dispatcher().dispatch(plan, relay);
        ex.onClose(h::cancel);
    }
}
