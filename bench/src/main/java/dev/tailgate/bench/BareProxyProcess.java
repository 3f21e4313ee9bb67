package dev.tailgate.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The floor for {@link GatewayOverhead}'s {@code --bare-proxy} row: a pass-through Vert.x proxy (the same server and
 * client options as the gateway, no auth, no routing, no logging, no ledger) in its own JVM with the launcher's flags.
 * What it costs per request is what any Vert.x hop costs on this machine; the gateway's CPU above it is the gateway's
 * own work.
 *
 * <p>Args: the upstream base URL (e.g. {@code http://127.0.0.1:P/v1}) and the port to listen on. Prints
 * {@code listening PORT}; exits when stdin ends.
 */
public final class BareProxyProcess {
    private BareProxyProcess() {}

    public static void main(String[] args) throws Exception {
        String upstream = args[0];
        int port = Integer.parseInt(args[1]);
        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true).setPipelining(false).setDecompressionSupported(false))
                .with(new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(1024)).build();
        vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setHttp2ClearTextEnabled(false))
                .requestHandler(req -> req.body().onSuccess(body -> client.request(new RequestOptions().setMethod(req.method())
                                .setAbsoluteURI(upstream + req.path().substring("/v1".length())))
                        .compose(up -> {
                            up.putHeader("Content-Type", "application/json").putHeader("Authorization", "Bearer sk-bench");
                            return up.send(body);
                        })
                        .onSuccess(resp -> {
                            var out = req.response().setStatusCode(resp.statusCode());
                            String ct = resp.getHeader("Content-Type");
                            if (ct != null) out.putHeader("Content-Type", ct);
                            if (resp.getHeader("Content-Length") != null) { // JSON: one write, as the gateway does
                                resp.body().onSuccess(out::end);
                                return;
                            }
                            out.setChunked(true); // SSE: piped as it comes
                            resp.handler(out::write);
                            resp.endHandler(v -> out.end());
                        })
                        .onFailure(e -> req.response().setStatusCode(502).end())))
                .listen(port, "127.0.0.1").await();
        System.out.println("listening " + port);
        System.out.flush();
        while (System.in.read() >= 0) {
            // the bench closes our stdin when it is done
        }
        vertx.close().await();
    }
}
