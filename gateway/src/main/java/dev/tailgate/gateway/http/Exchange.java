package dev.tailgate.gateway.http;

import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.observe.RequestLifecycle;
import dev.tailgate.gateway.observe.RequestListener;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * One client request being served: the Vert.x request/response, its {@link RequestContext}, its
 * {@link RequestLifecycle} (access log, usage row, metrics as listeners), and safe ways to answer.
 */
public final class Exchange {
    private final HttpServerRequest request;
    private final RequestContext ctx;
    private final RequestLifecycle lifecycle;
    private final List<Runnable> onClose = new ArrayList<>();
    private boolean ending;
    private ErrorFormat errorFormat = ErrorFormat.OPENAI;
    private final dev.tailgate.gateway.limit.BodyBudget.Lease bodyLease;

    Exchange(HttpServerRequest request, RequestContext ctx, dev.tailgate.gateway.limit.BodyBudget.Lease bodyLease,
             List<RequestListener> listeners) {
        this.request = request;
        this.ctx = ctx;
        this.bodyLease = bodyLease;
        this.lifecycle = new RequestLifecycle(listeners, ctx);
        lifecycle.started();
        HttpServerResponse response = request.response();
        response.endHandler(v -> finish());
        response.closeHandler(v -> {
            finish(); // first: the record says the client left, before the routes' handlers cancel upstream work
            List<Runnable> hs = List.copyOf(onClose);
            onClose.clear();
            hs.forEach(Runnable::run);
        });
    }

    public HttpServerRequest request() { return request; }
    public HttpServerResponse response() { return request.response(); }
    public RequestContext ctx() { return ctx; }
    /** This request's share of the body budget; given back when the request finishes. */
    dev.tailgate.gateway.limit.BodyBudget.Lease bodyLease() { return bodyLease; }

    /** The shape refusals of this request are written in (set by the router from {@link RouteRegistry#errorFormat}). */
    public ErrorFormat errorFormat() { return errorFormat; }

    void errorFormat(ErrorFormat format) { this.errorFormat = format; }

    /** Runs when the client connection closes (before or after the response ended): the place to cancel upstream work. */
    public void onClose(Runnable r) {
        onClose.add(r);
    }

    /** The response ended or the client left: the body is no longer needed, and the lifecycle records the end once. */
    private void finish() {
        bodyLease.release(); // idempotent
        HttpServerResponse r = request.response();
        lifecycle.finished(r.getStatusCode(), request.bytesRead(), r.bytesWritten(), !r.ended());
    }

    /**
     * The response's last write: {@code last} (or nothing) and the end, once this request's usage row is committed,
     * so a client that received the whole answer can rely on it being in the ledger — even if the gateway is killed a
     * moment later. Call on the request's event loop; any later fail/json/endWith is ignored.
     */
    public void endWith(Buffer last) {
        HttpServerResponse r = response();
        endAfterUsageRow(() -> {
            if (r.closed() || r.ended()) return;
            if (last == null) r.end();
            else r.end(last);
        });
    }

    /** Bounded: after 2 s without a commit the answer goes out anyway (a slow ledger must not hold responses). */
    private void endAfterUsageRow(Runnable end) {
        if (ending) return;
        ending = true;
        java.util.concurrent.CompletableFuture<Void> row = lifecycle.beforeLastWrite(response().getStatusCode());
        if (row == null || row.isDone()) {
            end.run();
            return;
        }
        io.vertx.core.Context vctx = io.vertx.core.Vertx.currentContext();
        if (vctx == null) {
            row.orTimeout(2, java.util.concurrent.TimeUnit.SECONDS).whenComplete((v, err) -> end.run());
            return;
        }
        // the 2 s bound is a timer on this event loop, not orTimeout's: that one wakes a shared scheduler thread twice
        // per request (arm, cancel), which showed in the profile
        boolean[] ran = {false};
        Runnable once = () -> {
            if (ran[0]) return;
            ran[0] = true;
            end.run();
        };
        long timer = vctx.owner().setTimer(2_000, t -> once.run());
        row.whenComplete((v, err) -> vctx.runOnContext(x -> {
            vctx.owner().cancelTimer(timer);
            once.run();
        }));
    }

    /** Answers with an error in this request's {@link #errorFormat()}, unless the response already started (then the connection is reset). */
    public void fail(ApiError e) {
        HttpServerResponse r = response();
        if (e.code() != null) ctx.errorCode(e.code());
        if (ending || r.ended() || r.closed()) return;
        if (r.headWritten()) {
            r.reset();
            return;
        }
        ErrorFormat.Rendered rendered = errorFormat.render(e);
        r.setStatusCode(rendered.status()).putHeader("Content-Type", "application/json");
        if (rendered.retryAfter() != null) r.putHeader("Retry-After", rendered.retryAfter());
        if (e.needsOperator()) r.putHeader("x-should-retry", "false"); // SDKs would retry a 503 for minutes
        Buffer body = Buffer.buffer(rendered.body());
        if (bodyLeftUnread()) {
            // a large body not read (refused before or while reading it): stop reading and close after the answer
            // rather than drain it (200 drained 9 MB bodies stalled /health for 5-7 s); HTTP/1.1 allows the close
            request.pause();
            r.putHeader("Connection", "close");
            endAfterUsageRow(() -> {
                if (!r.ended() && !r.closed()) r.end(body).onComplete(ar -> lingerThenClose());
            });
            return;
        }
        if (!request.isEnded()) request.resume(); // a route may have paused it: the rest is read and dropped
        endWith(body);
    }

    /**
     * Closing a socket with unread input makes the kernel send a reset, and a reset that reaches a client before it
     * read the answer throws the answer away (a client that writes its whole body before reading, as the JDK's
     * HttpClient does, then saw "connection reset" instead of its 413). So the close waits this long after the answer
     * was written: not reading meanwhile costs nothing but the open socket, and the client may close first.
     */
    static final long LINGER_MS = 2_000;

    private void lingerThenClose() {
        io.vertx.core.Context vctx = io.vertx.core.Vertx.currentContext();
        if (vctx == null) request.connection().close();
        else vctx.owner().setTimer(LINGER_MS, t -> request.connection().close());
    }

    /**
     * Up to this many unread body bytes are still read and dropped after a refusal, keeping the connection. Above it
     * the connection closes after the answer: reading what is thrown away is what a flood of large bodies (refused for
     * the body budget, or unauthenticated) costs the event loops.
     */
    static final long DRAIN_AT_MOST = 256 * 1024;

    /** The body is chunked, or more than {@link #DRAIN_AT_MOST} of its declared length is still to come. */
    private boolean bodyLeftUnread() {
        if (request.isEnded()) return false;
        if (request.getHeader("Transfer-Encoding") != null) return true;
        Long declared = BodyReader.contentLength(request.getHeader("Content-Length"));
        return declared != null && declared - request.bytesRead() > DRAIN_AT_MOST;
    }

    public void json(int status, Object body) {
        HttpServerResponse r = response();
        if (ending || r.ended() || r.closed()) return;
        byte[] bytes = body instanceof byte[] b ? b : Json.bytes(body);
        r.setStatusCode(status).putHeader("Content-Type", "application/json");
        endWith(Buffer.buffer(bytes));
    }
}
