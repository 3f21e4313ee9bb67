package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test-only {@link ChatBackend}: posts straight to one chat upstream, with no target selection, limits or fallback.
 * Stands in for the gateway's chat relay so the Responses endpoint can be exercised end to end on its own.
 */
final class StandInChatBackend implements ChatBackend {
    private final HttpClient client;
    private final URI base;

    StandInChatBackend(Vertx vertx, String baseUrl) {
        this.client = vertx.createHttpClient();
        this.base = URI.create(baseUrl);
    }

    private Future<HttpClientRequest> open() {
        return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(base.getHost()).setPort(base.getPort())
                .setURI(base.getPath() + "/chat/completions").putHeader("content-type", "application/json"));
    }

    @Override
    public Future<JsonNode> complete(HttpServerRequest origin, ObjectNode chatRequest) {
        return open().compose(req -> req.send(Buffer.buffer(Json.bytes(chatRequest))))
                .compose(resp -> resp.body().map(body -> {
                    if (resp.statusCode() != 200) throw new BackendFailure(ApiError.upstream("upstream said " + resp.statusCode()));
                    return Json.parse(body.getBytes());
                }));
    }

    @Override
    public Cancel stream(HttpServerRequest origin, ObjectNode chatRequest, StreamListener listener) {
        AtomicBoolean chunkSeen = new AtomicBoolean();
        AtomicBoolean over = new AtomicBoolean();
        StringBuilder pending = new StringBuilder();
        open().compose(req -> req.send(Buffer.buffer(Json.bytes(chatRequest)))).onComplete(ar -> {
            if (ar.failed()) {
                if (over.compareAndSet(false, true)) listener.onError(ApiError.upstream("upstream unreachable"), true);
                return;
            }
            var resp = ar.result();
            if (resp.statusCode() != 200) {
                resp.body().onComplete(b -> {
                    if (over.compareAndSet(false, true)) listener.onError(ApiError.upstream("upstream said " + resp.statusCode()), true);
                });
                return;
            }
            resp.handler(buf -> {
                pending.append(buf.toString());
                int end;
                while ((end = pending.indexOf("\n\n")) >= 0) {
                    String frame = pending.substring(0, end);
                    pending.delete(0, end + 2);
                    for (String line : frame.split("\n")) {
                        if (!line.startsWith("data:") || over.get()) continue;
                        String data = line.substring(5).trim();
                        if (data.equals("[DONE]")) {
                            if (over.compareAndSet(false, true)) listener.onEnd();
                        } else {
                            chunkSeen.set(true);
                            listener.onChunk((ObjectNode) Json.parse(data));
                        }
                    }
                }
            });
            resp.exceptionHandler(e -> {
                if (over.compareAndSet(false, true)) listener.onError(ApiError.upstream("upstream stream broke"), !chunkSeen.get());
            });
            resp.endHandler(v -> {
                if (over.compareAndSet(false, true)) listener.onError(ApiError.upstream("upstream ended without [DONE]"), !chunkSeen.get());
            });
        });
        return () -> over.set(true);
    }
}
