package dev.tailgate.gateway.http;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body up to {@code max} bytes. A larger body is drained (not stored) so the client can read the 413
 * cleanly; past a hard ceiling the connection is closed instead of draining forever.
 */
final class BodyReader {
    private BodyReader() {}

    static Future<Buffer> read(HttpServerRequest req, long max) {
        Promise<Buffer> p = Promise.promise();
        Buffer buf = Buffer.buffer();
        long ceiling = max * 4 + (1 << 20);
        long[] seen = {0};
        req.handler(b -> {
            seen[0] += b.length();
            if (seen[0] <= max) buf.appendBuffer(b);
            else if (seen[0] > ceiling && !p.future().isComplete()) {
                p.tryFail(new ApiException(ApiError.tooLarge(max)));
                req.response().putHeader("Connection", "close");
            }
        });
        req.endHandler(v -> {
            if (seen[0] > max) p.tryFail(new ApiException(ApiError.tooLarge(max)));
            else p.tryComplete(buf);
        });
        req.exceptionHandler(e -> p.tryFail(new ApiException(ApiError.badRequest("request body could not be read"))));
        return p.future();
    }
}
