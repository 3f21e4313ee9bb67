package dev.tailgate.gateway.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.ledger.UsageFields;
import dev.tailgate.gateway.policy.PromptTokens;
import dev.tailgate.gateway.upstream.ChatChunk;
import dev.tailgate.gateway.upstream.ChatSseReader;
import dev.tailgate.gateway.upstream.Dispatcher;
import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.gateway.upstream.UpstreamBody;
import dev.tailgate.gateway.upstream.WholeBodyReader;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/** {@link ChatCaller} over the {@link Dispatcher}: the same path HTTP chat requests take. */
public final class DefaultChatCaller implements ChatCaller {
    private final Gateway gateway;

    public DefaultChatCaller(Gateway gateway) {
        this.gateway = gateway;
    }

    /** Runs {@code r} on a Vert.x event loop: already there when called from a route, hops there otherwise. */
    private void onEventLoop(Runnable r) {
        if (io.vertx.core.Context.isOnEventLoopThread()) r.run();
        else gateway.vertx().getOrCreateContext().runOnContext(v -> r.run());
    }

    @Override
    public Future<ObjectNode> complete(RequestContext ctx, ObjectNode chatBody) {
        Promise<ObjectNode> result = Promise.promise();
        onEventLoop(() -> completeOnLoop(ctx, chatBody, result));
        return result.future();
    }

    private void completeOnLoop(RequestContext ctx, ObjectNode chatBody, Promise<ObjectNode> result) {
        try {
            ObjectNode body = chatBody.deepCopy();
            body.put("stream", false);
            body.remove("stream_options");
            String alias = alias(body);
            Dispatcher.Plan plan = plan(ctx, body, alias);
            gateway.dispatcher().dispatch(plan, new Relay<>(WholeBodyReader::new, new Relay.Sink<byte[]>() {
                private ObjectNode completion;

                @Override
                public boolean deliver(byte[] body) {
                    JsonNode n;
                    try {
                        n = Json.parse(body);
                    } catch (RuntimeException e) {
                        n = null;
                    }
                    if (!(n instanceof ObjectNode o)) throw new Relay.UnusableAnswer("answered with invalid JSON");
                    if (o.has("model")) o.put("model", alias);
                    UsageFields.capture(ctx, o);
                    completion = o;
                    return true;
                }

                @Override
                public void end() {
                    result.tryComplete(completion);
                }

                @Override
                public void failBeforeCommit(ApiError error) {
                    result.tryFail(new ApiException(error));
                }

                @Override
                public void abortAfterCommit(ApiError error) {
                    result.tryFail(new ApiException(error));
                }
            }));
        } catch (RuntimeException e) {
            result.tryFail(e instanceof ApiException ? e : new ApiException(ApiException.of(e)));
        }
    }

    @Override
    public Call stream(RequestContext ctx, ObjectNode chatBody, ChatStreamListener listener) {
        Dispatcher.Handle[] handle = {null};
        boolean[] cancelled = {false};
        onEventLoop(() -> {
            if (cancelled[0]) return;
            handle[0] = streamOnLoop(ctx, chatBody, listener);
        });
        return () -> onEventLoop(() -> {
            cancelled[0] = true;
            if (handle[0] != null) handle[0].cancel();
        });
    }

    private Dispatcher.Handle streamOnLoop(RequestContext ctx, ObjectNode chatBody, ChatStreamListener listener) {
        ObjectNode body = chatBody.deepCopy();
        body.put("stream", true);
        // always ask for the usage chunk (the ledger needs it); hide it from a caller that did not ask
        boolean callerAsked = StreamUsage.asked(body);
        if (!callerAsked) StreamUsage.ask(body);
        String alias;
        Dispatcher.Plan plan;
        try {
            alias = alias(body);
            plan = plan(ctx, body, alias);
        } catch (RuntimeException e) {
            listener.onError(ApiException.of(e), false);
            return () -> {};
        }
        return gateway.dispatcher().dispatch(plan, new Relay<>(ChatSseReader::new, new Relay.Sink<ChatChunk>() {
            private boolean ended;

            @Override
            public boolean deliver(ChatChunk piece) {
                ObjectNode chunk = (ObjectNode) Json.parse(piece.json());
                UsageFields.capture(ctx, chunk);
                if (!callerAsked && UsageFields.usageOnlyChunk(chunk)) return false;
                ctx.firstToken();
                if (chunk.has("model")) chunk.put("model", alias);
                listener.onChunk(chunk);
                return true;
            }

            @Override
            public void end() {
                if (ended) return;
                ended = true;
                listener.onComplete();
            }

            @Override
            public void failBeforeCommit(ApiError error) {
                if (ended) return;
                ended = true;
                listener.onError(error, false);
            }

            @Override
            public void abortAfterCommit(ApiError error) {
                if (ended) return;
                ended = true;
                listener.onError(error, true);
            }

            @Override
            public void cancelled() {
                ended = true;
            }
        }));
    }

    @Override
    public List<ProviderConfig> providersFor(RequestContext ctx, String alias) {
        ModelRoute route = gateway.route(ctx, alias);
        return gateway.targets(ctx, route).stream()
                .map(t -> gateway.config().providers().get(t.provider())).toList();
    }

    private static String alias(ObjectNode body) {
        JsonNode m = body.get("model");
        if (m == null || !m.isTextual()) throw new ApiException(ApiError.badRequest("you must provide a 'model' parameter", "model"));
        return m.textValue();
    }

    private Dispatcher.Plan plan(RequestContext ctx, ObjectNode body, String alias) {
        if (ctx.estimatedPromptTokens() == 0) ctx.estimatedPromptTokens(PromptTokens.estimate(body));
        ModelRoute route = gateway.route(ctx, alias);
        List<Target> targets = gateway.targets(ctx, route);
        return new Dispatcher.Plan(ctx, targets, route.fallback(), HttpMethod.POST, "/chat/completions", t -> {
            ObjectNode copy = body.deepCopy();
            copy.put("model", t.upstreamModel());
            return UpstreamBody.bytes(Buffer.buffer(Json.bytes(copy)), "application/json");
        });
    }
}
