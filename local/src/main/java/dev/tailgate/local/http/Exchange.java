package dev.tailgate.local.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.metrics.LocalMetrics;
import dev.tailgate.local.sched.Ticket;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP request/response: the single place that writes JSON and errors, hops engine callbacks back onto the
 * request's event loop, and writes the access-log line (never the prompt or completion text).
 */
final class Exchange {
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.tailgate.local.qwen-local");

    final HttpServerRequest request;
    final HttpServerResponse response;
    private final Context context;
    private final LocalMetrics metrics;
    private final long startNanos = System.nanoTime();
    final String endpoint;
    String model;
    boolean stream;
    private boolean logged;
    private Ticket ticket;

    Exchange(HttpServerRequest request, Context context, LocalMetrics metrics, String endpoint) {
        this.request = request;
        this.response = request.response();
        this.context = context;
        this.metrics = metrics;
        this.endpoint = endpoint;
        response.endHandler(v -> log(false));
        response.closeHandler(v -> {
            if (!response.ended() && ticket != null) ticket.cancel();
            log(true);
        });
    }

    /** The client went away before the answer ended: the job leaves the queue or is cancelled in the engine. */
    void cancelWhenClientLeaves(Ticket t) {
        this.ticket = t;
        if (response.closed() && !response.ended()) t.cancel();
    }

    /** Runs {@code r} on this request's event loop (engine callbacks arrive on other threads). */
    void onContext(Runnable r) {
        context.runOnContext(v -> r.run());
    }

    /** Whether nothing can be sent any more (ended, or the client closed the connection). */
    boolean finished() {
        return response.ended() || response.closed();
    }

    void json(int status, JsonNode body) {
        if (finished()) return;
        response.setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(Buffer.buffer(Json.bytes(body)));
    }

    void text(int status, String contentType, String body) {
        if (finished()) return;
        response.setStatusCode(status).putHeader("content-type", contentType).end(body);
    }

    Future<Void> error(ApiError error) {
        if (finished() || response.headWritten()) return Future.succeededFuture();
        response.setStatusCode(error.status()).putHeader("content-type", "application/json");
        String retry = error.retryAfterHeader();
        if (retry != null) response.putHeader("retry-after", retry);
        if (error.needsOperator()) response.putHeader("x-should-retry", "false"); // SDKs would retry a 503 for minutes
        return response.end(Buffer.buffer(error.toBytes()));
    }

    private void log(boolean closed) {
        if (logged) return;
        logged = true;
        int status = response.getStatusCode();
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        boolean cut = closed && !response.ended();
        // The gateway polls /status and /health every few seconds: successful polls would bury the requests in the
        // terminal `up` shares between both services, so they log at debug.
        boolean poll = status < 300 && request.method() == HttpMethod.GET
                && ("/status".equals(request.path()) || "/health".equals(request.path()));
        if (poll ? ACCESS.isDebugEnabled() : ACCESS.isInfoEnabled()) {
            String line = "{} {} model={} stream={} status={} ms={} bytes={}{}";
            Object[] args = {request.method(), request.path(), model == null ? "-" : model, stream, status, ms,
                    response.bytesWritten(), cut ? " client_closed" : ""};
            if (poll) ACCESS.debug(line, args); else ACCESS.info(line, args);
        }
        metrics.request(endpoint, model, cut ? 499 : status);
    }
}
