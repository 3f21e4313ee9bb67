package dev.tailgate.gateway.http;

import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Durations;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long a client may take to <em>send</em> a request (config {@code client_timeout}). Without this a
 * slow-loris client — headers or body trickled a byte at a time — would hold a connection, and for a body being read,
 * a request, for as long as it likes. Per connection:
 * <ul>
 *   <li>waiting for a request head (a new or a kept-alive connection): after the timeout the connection is closed;</li>
 *   <li>a request whose body has not fully arrived after the timeout gets 408 {@code request_timeout} (when nothing has
 *       been answered yet) and the connection is closed;</li>
 *   <li>once the body is in, the clock stops: answering may take as long as the upstream timeouts allow.</li>
 * </ul>
 */
public final class ClientTimeouts {
    private static final Logger LOG = LoggerFactory.getLogger(ClientTimeouts.class);

    private final Vertx vertx;
    private final Supplier<Duration> timeout;
    private final Map<HttpConnection, Clock> connections = new ConcurrentHashMap<>();

    /** {@code timeout} is read at every arm, so a config reload applies to the next phase. */
    public ClientTimeouts(Vertx vertx, Supplier<Duration> timeout) {
        this.vertx = vertx;
        this.timeout = timeout;
    }

    /** For {@code HttpServer.connectionHandler}. */
    public void connected(HttpConnection conn) {
        Clock c = new Clock(conn);
        connections.put(conn, c);
        conn.closeHandler(v -> {
            Clock gone = connections.remove(conn);
            if (gone != null) gone.stop();
        });
        c.awaitHead();
    }

    /** Wraps the request handler so each request starts its body clock. */
    public Handler<HttpServerRequest> wrap(Handler<HttpServerRequest> next) {
        return req -> {
            Clock c = connections.get(req.connection());
            if (c != null) c.reading(req);
            next.handle(req);
        };
    }

    /** Connections currently tracked (for tests). */
    public int open() {
        return connections.size();
    }

    private final class Clock {
        private final HttpConnection conn;
        private long timer = -1;

        Clock(HttpConnection conn) {
            this.conn = conn;
        }

        void awaitHead() {
            stop();
            Duration t = timeout.get();
            timer = vertx.setTimer(t.toMillis(), id -> {
                LOG.debug("closing a connection that sent no request within {}", Durations.format(t));
                conn.close();
            });
        }

        void reading(HttpServerRequest req) {
            stop();
            Duration t = timeout.get();
            timer = vertx.setTimer(t.toMillis(), id -> {
                if (req.isEnded()) return; // body complete: the answer is the upstream timeouts' business
                LOG.info("request {} {}: client did not send its request within {}; closing", req.method(), req.path(), Durations.format(t));
                HttpServerResponse r = req.response();
                if (r.headWritten() || r.ended() || r.closed()) {
                    conn.close();
                    return;
                }
                ApiError e = new ApiError(408, "invalid_request_error", "request_timeout",
                        "The request was not received within " + Durations.format(t) + " (client_timeout).", null, null);
                r.setStatusCode(408).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
                        .end(Buffer.buffer(e.toBytes())).onComplete(ar -> conn.close());
            });
            // the next request on a kept-alive connection gets a fresh head clock
            req.response().bodyEndHandler(v -> awaitHead());
        }

        void stop() {
            if (timer >= 0) vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
