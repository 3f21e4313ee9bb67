package dev.tailgate.gateway.http;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.limit.BodyBudget;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body up to {@code max} bytes, held against the gateway's {@link BodyBudget} through the exchange's
 * lease (the declared Content-Length up front, else as bytes arrive). A larger body (413) or one the budget cannot
 * hold (503 + Retry-After) is refused as soon as that is known, without reading the rest: {@link Exchange#fail}
 * answers a request whose body is unread with {@code Connection: close} and closes the connection after the answer.
 * Draining refused bodies instead kept the event loops busy reading hundreds of megabytes that were thrown away.
 */
final class BodyReader {
    private BodyReader() {}

    static Future<Buffer> read(Exchange ex, long max, BodyBudget budget) {
        HttpServerRequest req = ex.request();
        BodyBudget.Lease lease = ex.bodyLease();
        Promise<Buffer> p = Promise.promise();
        Long declared = contentLength(req.getHeader("Content-Length"));
        if (declared != null && declared > max) return Future.failedFuture(new ApiException(ApiError.tooLarge(max)));
        if (declared != null && !lease.grow(declared)) return Future.failedFuture(new ApiException(budget.refusal()));
        Buffer buf = Buffer.buffer();
        long[] reserved = {declared == null ? 0 : declared};
        req.handler(b -> {
            if (p.future().isComplete()) return;
            long seen = buf.length() + (long) b.length();
            if (seen > max) {
                p.tryFail(new ApiException(ApiError.tooLarge(max)));
                return;
            }
            long need = seen - reserved[0];
            if (need > 0) {
                if (!lease.grow(need)) {
                    p.tryFail(new ApiException(budget.refusal()));
                    return;
                }
                reserved[0] += need;
            }
            buf.appendBuffer(b);
        });
        req.endHandler(v -> p.tryComplete(buf));
        req.exceptionHandler(e -> p.tryFail(new ApiException(ApiError.badRequest("request body could not be read"))));
        return p.future();
    }

    static Long contentLength(String h) {
        if (h == null) return null;
        try {
            return Long.parseLong(h.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
