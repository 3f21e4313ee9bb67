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
 * hold (503 + Retry-After) is drained, not stored, so the client can read the refusal cleanly; past a hard ceiling the
 * connection is closed instead of draining forever.
 */
final class BodyReader {
    private BodyReader() {}

    static Future<Buffer> read(Exchange ex, long max, BodyBudget budget) {
        HttpServerRequest req = ex.request();
        BodyBudget.Lease lease = ex.bodyLease();
        Promise<Buffer> p = Promise.promise();
        Buffer[] buf = {Buffer.buffer()};
        long ceiling = max * 4 + (1 << 20);
        long[] seen = {0};
        long[] reserved = {0};
        Long declared = contentLength(req.getHeader("Content-Length"));
        if (declared != null && declared <= max) {
            if (lease.grow(declared)) reserved[0] = declared;
            else buf[0] = null; // over budget: refused at the end, nothing stored meanwhile
        }
        req.handler(b -> {
            seen[0] += b.length();
            if (seen[0] <= max && buf[0] != null) {
                long need = seen[0] - reserved[0];
                if (need > 0 && !lease.grow(need)) {
                    buf[0] = null;
                    lease.release(); // what this body held is free for others now
                    return;
                }
                if (need > 0) reserved[0] += need;
                buf[0].appendBuffer(b);
            } else if (seen[0] > ceiling && !p.future().isComplete()) {
                p.tryFail(new ApiException(ApiError.tooLarge(max)));
                req.response().putHeader("Connection", "close");
            }
        });
        req.endHandler(v -> {
            if (seen[0] > max) p.tryFail(new ApiException(ApiError.tooLarge(max)));
            else if (buf[0] == null) p.tryFail(new ApiException(budget.refusal()));
            else p.tryComplete(buf[0]);
        });
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
