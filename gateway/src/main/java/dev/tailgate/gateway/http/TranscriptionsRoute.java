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
 * {@code POST /v1/audio/transcriptions} and {@code /v1/audio/translations} (multipart/form-data), streamed: a
 * {@link MultipartScanner} parses the body as it arrives; once the one {@code model} part is complete, its value is
 * rewritten to the upstream model inside the bytes read so far and the rest of the upload streams to the provider as
 * it arrives (with backpressure), never holding the whole file. The scanner keeps parsing the streamed rest: a second
 * {@code model} part or a malformed/truncated body there resets the upstream request (the provider never gets a
 * complete body) and the client gets 400.
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
        String boundary = MultipartScanner.boundary(ct);
        if (boundary == null) {
            ex.fail(ApiError.unsupportedMediaType("Content-Type must be multipart/form-data with a boundary."));
            return;
        }
        long max = gateway.config().maxBody();
        Long declared = BodyReader.contentLength(req.getHeader("Content-Length"));
        if (declared != null && declared > max) {
            ex.fail(ApiError.tooLarge(max)); // not read: the connection closes after the answer
            return;
        }
        MultipartScanner scanner = new MultipartScanner(boundary);
        Buffer prefix = Buffer.buffer();
        boolean[] routed = {false};
        // a refusal is answered at once; the rest of the body is not read (the connection closes after the answer)
        req.handler(b -> {
            if (routed[0]) return;
            if (prefix.length() + b.length() > max) {
                refuse(ex, routed, ApiError.tooLarge(max));
                return;
            }
            if (!ex.bodyLease().grow(b.length())) { // the held head counts against the body budget
                refuse(ex, routed, gateway.bodyBudget().refusal());
                return;
            }
            prefix.appendBuffer(b);
            try {
                scanner.feed(b.getBytes());
            } catch (RuntimeException e) {
                refuse(ex, routed, ApiException.of(e));
                return;
            }
            if (scanner.model() == null) return;
            routed[0] = true;
            req.pause();
            route(ex, ct, prefix.getBytes(), scanner, declared, false);
        });
        req.endHandler(v -> {
            if (routed[0]) return;
            routed[0] = true;
            try {
                scanner.finish();
            } catch (RuntimeException e) {
                ex.fail(ApiException.of(e));
                return;
            }
            route(ex, ct, prefix.getBytes(), scanner, declared, true);
        });
        req.exceptionHandler(e -> ex.fail(ApiError.badRequest("request body could not be read")));
    }

    private static void refuse(Exchange ex, boolean[] routed, ApiError refusal) {
        routed[0] = true;
        ex.fail(refusal);
    }

    private void route(Exchange ex, String ct, byte[] prefix, MultipartScanner scanner, Long declared, boolean complete) {
        MultipartScanner.Field model = scanner.model();
        try {
            ModelRoute route = gateway.route(ex.ctx(), model.value());
            List<Target> targets = gateway.targets(ex.ctx(), route);
            Dispatcher.Plan plan = new Dispatcher.Plan(ex.ctx(), targets, route.fallback(), HttpMethod.POST, upstreamPath, t -> {
                byte[] head = model.replace(prefix, t.upstreamModel());
                if (complete) return UpstreamBody.bytes(Buffer.buffer(head), ct);
                Long length = declared == null ? null : declared + (head.length - prefix.length);
                return new StreamedRest(ex, scanner, Buffer.buffer(head), ct, length, gateway.config().maxBody() - prefix.length);
            });
            Dispatcher.Handle h = gateway.dispatcher().dispatch(plan, ClientRelays.binary(ex));
            ex.onClose(h::cancel);
        } catch (RuntimeException e) {
            ex.fail(ApiException.of(e));
        }
    }

    /**
     * The already-read head of the upload, then the rest of the client's request body as it arrives, each piece parsed
     * by the scanner before it is written: a violation resets the upstream request before it has a complete body.
     */
    private static final class StreamedRest implements UpstreamBody {
        private final Exchange ex;
        private final MultipartScanner scanner;
        private final Buffer head;
        private final String contentType;
        private final Long length;
        private final long remainingAllowed;

        StreamedRest(Exchange ex, MultipartScanner scanner, Buffer head, String contentType, Long length, long remainingAllowed) {
            this.ex = ex;
            this.scanner = scanner;
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
                ApiError refusal = seen[0] > remainingAllowed ? ApiError.tooLarge(remainingAllowed) : null;
                if (refusal == null) {
                    try {
                        scanner.feed(b.getBytes());
                    } catch (RuntimeException e) {
                        refusal = ApiException.of(e);
                    }
                }
                if (refusal != null) {
                    abort(in, up, refusal);
                    return;
                }
                up.write(b);
                if (up.writeQueueFull()) {
                    in.pause();
                    up.drainHandler(v -> in.resume());
                }
            });
            in.endHandler(v -> {
                try {
                    scanner.finish();
                } catch (RuntimeException e) {
                    abort(in, up, ApiException.of(e));
                    return;
                }
                up.end();
            });
            in.resume();
            return up.response();
        }

        private void abort(HttpServerRequest in, HttpClientRequest up, ApiError refusal) {
            in.handler(null); // the rest is not read: fail closes the connection after the answer
            in.endHandler(null);
            ex.fail(refusal); // first: the reset below fails the attempt, whose 502 must not be the answer
            up.reset();
        }
    }
}
