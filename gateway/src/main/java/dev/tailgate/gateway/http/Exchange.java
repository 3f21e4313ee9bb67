package dev.tailgate.gateway.http;

import dev.tailgate.gateway.RequestContext;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;

/** One client request being served: the Vert.x request/response, its {@link RequestContext}, and safe ways to answer. */
public final class Exchange {
    private final HttpServerRequest request;
    private final RequestContext ctx;
    private final List<Runnable> onClose = new ArrayList<>();

    Exchange(HttpServerRequest request, RequestContext ctx) {
        this.request = request;
        this.ctx = ctx;
        request.response().closeHandler(v -> {
            List<Runnable> hs = List.copyOf(onClose);
            onClose.clear();
            hs.forEach(Runnable::run);
        });
    }

    public HttpServerRequest request() { return request; }
    public HttpServerResponse response() { return request.response(); }
    public RequestContext ctx() { return ctx; }

    /** Runs when the client connection closes (before or after the response ended): the place to cancel upstream work. */
    public void onClose(Runnable r) {
        onClose.add(r);
    }

    /** Answers with an OpenAI-shaped error, unless the response already started (then the connection is reset). */
    public void fail(ApiError e) {
        HttpServerResponse r = response();
        if (e.code() != null) ctx.errorCode(e.code());
        if (r.ended() || r.closed()) return;
        if (r.headWritten()) {
            r.reset();
            return;
        }
        r.setStatusCode(e.status()).putHeader("Content-Type", "application/json");
        String ra = e.retryAfterHeader();
        if (ra != null) r.putHeader("Retry-After", ra);
        r.end(Buffer.buffer(e.toBytes()));
    }

    public void json(int status, Object body) {
        HttpServerResponse r = response();
        if (r.ended() || r.closed()) return;
        byte[] bytes = body instanceof byte[] b ? b : Json.bytes(body);
        r.setStatusCode(status).putHeader("Content-Type", "application/json").end(Buffer.buffer(bytes));
    }
}
