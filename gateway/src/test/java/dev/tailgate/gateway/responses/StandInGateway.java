package dev.tailgate.gateway.responses;

import dev.tailgate.wire.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** Test-only HTTP server exposing just the Responses endpoint (and a models list) over a {@link StandInChatBackend}. */
final class StandInGateway implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;

    StandInGateway(String upstreamBaseUrl) throws Exception {
        ResponsesEndpoint endpoint = new ResponsesEndpoint(new StandInChatBackend(vertx, upstreamBaseUrl), Clock.systemUTC(), IdGenerator.random());
        server = vertx.createHttpServer().requestHandler(request -> {
            String path = request.path();
            if (path.equals("/v1/responses") && ResponsesEndpoint.isWebSocketUpgrade(request)) {
                ResponsesEndpoint.refuseWebSocket(request.response());
            } else if (path.equals("/v1/responses") && request.method() == HttpMethod.POST) {
                request.body().onSuccess(body -> endpoint.handle(request, body));
            } else if (path.equals("/v1/models")) {
                request.response().putHeader("content-type", "application/json")
                        .end("{\"object\":\"list\",\"data\":[{\"id\":\"qwen\",\"object\":\"model\",\"owned_by\":\"tailgate\"}]}");
            } else {
                ResponsesEndpoint.writeError(request.response(), ApiError.notFound("no route " + path));
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
