package dev.tailgate.wire.http;

import dev.tailgate.wire.ApiError;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Requests the HTTP decoder could not read (a request line or header longer than the limits, a garbled head, framing
 * refused by {@link StrictFraming}), for {@code HttpServer.invalidRequestHandler} on both services. Vert.x's default
 * answers these with an empty 414/431/400; the contract wants every refusal in the OpenAI error shape, so this answers
 * the same statuses with a JSON body and {@code Connection: close}. Vert.x closes the connection once the response has
 * ended.
 */
public final class InvalidRequests {
    private InvalidRequests() {}

    public static void handle(HttpServerRequest req) {
        HttpServerResponse r = req.response();
        if (r.ended() || r.closed()) return;
        DecoderResult result = req.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        ApiError e;
        if (cause instanceof TooLongHttpHeaderException) {
            e = new ApiError(431, "invalid_request_error", "headers_too_large", "The request headers are larger than the server accepts.", null, null);
        } else if (cause instanceof TooLongHttpLineException) {
            e = new ApiError(414, "invalid_request_error", "uri_too_long", "The request line is longer than the server accepts.", null, null);
        } else if (cause instanceof StrictFraming.FramingException framing) {
            e = new ApiError(400, "invalid_request_error", "invalid_framing", framing.getMessage(), null, null);
        } else {
            e = ApiError.badRequest("The request is not valid HTTP.");
        }
        r.setStatusCode(e.status()).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
                .end(Buffer.buffer(e.toBytes()));
    }
}
