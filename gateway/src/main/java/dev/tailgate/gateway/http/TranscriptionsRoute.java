package dev.tailgate.gateway.http;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.upstream.Dispatcher;
import dev.tailgate.gateway.upstream.UpstreamBody;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * {@code POST /v1/audio/transcriptions} and {@code /v1/audio/translations} (multipart/form-data), streamed: the gateway reads only until it has seen the
 * {@code model} form field, rewrites its value to the upstream model inside those bytes, and then streams the rest of
 * the upload to the provider as it arrives (with backpressure), never holding the whole file.
 *
 * <p>Limits, honestly: when a client sends the file part <em>before</em> the model field (the multipart order is the
 * client's choice), everything up to the model field has to be held — bounded by {@code max_body}. A streamed upload
 * can go to one target only (it cannot be replayed), so {@code fallback} applies only when the whole body was read
 * before the model field was complete.
 */
final class TranscriptionsRoute {
    private final Gateway gateway;
    private final String upstreamPath;

    /** @param upstreamPath the provider path this route forwards to, e.g. {@code /audio/transcriptions} */
    TranscriptionsRoute(Gateway gateway, String upstreamPath) {
        this.gateway = gateway;
        this.upstreamPath = upstreamPath;
    }

    void handle(Exchange ex) {
        HttpServerRequest req = ex.request();
        String ct = req.getHeader("Content-Type");
        String boundary = Multipart.boundary(ct);
        if (boundary == null) {
            ex.fail(ApiError.unsupportedMediaType("Content-Type must be multipart/form-data with a boundary."));
            return;
        }
        long max = gateway.config().maxBody();
        Long declared = contentLength(req.getHeader("Content-Length"));
        if (declared != null && declared > max) {
            BodyReader.read(req, max).onFailure(e -> ex.fail(ApiException.of(e))); // drains, then 413
            return;
        }
        Buffer prefix = Buffer.buffer();
        boolean[] routed = {false};
        boolean[] tooLarge = {false};
        req.handler(b -> {
            if (routed[0] || tooLarge[0]) return;
            prefix.appendBuffer(b);
            if (prefix.length() > max) {
                tooLarge[0] = true; // drain the rest, answer at the end so the client can read the 413
                return;
            }
            byte[] bytes = prefix.getBytes();
            Multipart.Field model = Multipart.findField(bytes, bytes.length, boundary, "model");
            if (model == null) return;
            routed[0] = true;
            req.pause();
            route(ex, ct, bytes, model, declared, false);
        });
        req.endHandler(v -> {
            if (tooLarge[0]) {
                ex.fail(ApiError.tooLarge(max));
                return;
            }
            if (routed[0]) return;
            routed[0] = true;
            byte[] bytes = prefix.getBytes();
            Multipart.Field model = Multipart.findField(bytes, bytes.length, boundary, "model");
            if (model == null) {
                ex.fail(ApiError.badRequest("you must provide a 'model' form field", "model"));
                return;
            }
            route(ex, ct, bytes, model, declared, true);
        });
        req.exceptionHandler(e -> ex.fail(ApiError.badRequest("request body could not be read")));
    }

    private void route(Exchange ex, String ct, byte[] prefix, Multipart.Field model, Long declared, boolean complete) {
        try {
            ModelRoute route = gateway.route(ex.ctx(), model.value());
            List<Target> targets = gateway.targets(ex.ctx(), route);
            Dispatcher.Plan plan = new Dispatcher.Plan(ex.ctx(), targets, route.fallback(), HttpMethod.POST, upstreamPath, t -> {
                byte[] head = model.replace(prefix, t.upstreamModel());
                if (complete) return UpstreamBody.bytes(Buffer.buffer(head), ct);
                Long length = declared == null ? null : declared + (head.length - prefix.length);
                return new StreamedRest(ex, Buffer.buffer(head), ct, length, gateway.config().maxBody() - prefix.length);
            });
            Dispatcher.Handle h = gateway.dispatcher().dispatch(plan, ClientRelays.binary(ex));
            ex.onClose(h::cancel);
        } catch (RuntimeException e) {
            if (!complete) ex.response().putHeader("Connection", "close"); // the rest of the upload is not read
            ex.fail(ApiException.of(e));
        }
    }

    private static Long contentLength(String h) {
        if (h == null) return null;
        try {
            return Long.parseLong(h.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The already-read head of the upload, then the rest of the client's request body as it arrives. */
    private static final class StreamedRest implements UpstreamBody {
        private final Exchange ex;
        private final Buffer head;
        private final String contentType;
        private final Long length;
        private final long remainingAllowed;

        StreamedRest(Exchange ex, Buffer head, String contentType, Long length, long remainingAllowed) {
            this.ex = ex;
            this.head = head;
            this.contentType = contentType;
            this.length = length;
            this.remainingAllowed = remainingAllowed;
        }

        public String contentType() { return contentType; }
        public boolean resendable() { return false; }

        public Future<HttpClientResponse> sendOn(HttpClientRequest up) {
            HttpServerRequest in = ex.request();
            if (length != null) up.putHeader("Content-Length", Long.toString(length));
            else up.setChunked(true);
            up.write(head);
            long[] seen = {0};
            in.handler(b -> {
                seen[0] += b.length();
                if (seen[0] > remainingAllowed) {
                    in.handler(null);
                    up.reset();
                    ex.response().putHeader("Connection", "close");
                    ex.fail(ApiError.tooLarge(remainingAllowed));
                    return;
                }
                up.write(b);
                if (up.writeQueueFull()) {
                    in.pause();
                    up.drainHandler(v -> in.resume());
                }
            });
            in.endHandler(v -> up.end());
            in.resume();
            return up.response();
        }
    }
}
