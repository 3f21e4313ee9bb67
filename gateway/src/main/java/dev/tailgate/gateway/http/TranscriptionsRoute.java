package dev.tailgate.gateway.http;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.upstream.Dispatcher;
import dev.tailgate.gateway.upstream.UpstreamBody;
import dev.tailgate.wire.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * {@code POST /v1/audio/transcriptions} (multipart). Routed by the {@code model} form field, whose value is rewritten
 * to the upstream model inside the multipart bytes; everything else (file, response_format, ...) passes through.
 * (First version: the body is read up to {@code max_body} before forwarding.)
 */
final class TranscriptionsRoute {
    private final Gateway gateway;

    TranscriptionsRoute(Gateway gateway) {
        this.gateway = gateway;
    }

    void handle(Exchange ex) {
        String ct = ex.request().getHeader("Content-Type");
        String boundary = Multipart.boundary(ct);
        if (boundary == null) {
            ex.fail(ApiError.unsupportedMediaType("Content-Type must be multipart/form-data with a boundary."));
            return;
        }
        BodyReader.read(ex.request(), gateway.config().maxBody()).onComplete(ar -> {
            if (ar.failed()) {
                ex.fail(ApiException.of(ar.cause()));
                return;
            }
            try {
                byte[] body = ar.result().getBytes();
                Multipart.Field model = Multipart.findField(body, body.length, boundary, "model");
                if (model == null) throw new ApiException(ApiError.badRequest("you must provide a 'model' form field", "model"));
                ModelRoute route = gateway.route(ex.ctx(), model.value());
                List<Target> targets = gateway.targets(ex.ctx(), route);
                Dispatcher.Plan plan = new Dispatcher.Plan(ex.ctx(), targets, route.fallback(), HttpMethod.POST,
                        "/audio/transcriptions", t -> UpstreamBody.bytes(Buffer.buffer(model.replace(body, t.upstreamModel())), ct));
                Dispatcher.Handle h = gateway.dispatcher().dispatch(plan, ClientRelays.binary(ex));
                ex.onClose(h::cancel);
            } catch (RuntimeException e) {
                ex.fail(ApiException.of(e));
            }
        });
    }
}
