package dev.tailgate.gateway.limit;

import dev.tailgate.wire.ApiError;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The gateway-wide bound on request bodies held in memory at once (config {@code body_budget}). Each request body is
 * below {@code max_body}, but many at once are not: without this, 16 concurrent 9 MB bodies took the heap to ~3 GB.
 * A request reserves its body's bytes through a {@link Lease} (the declared Content-Length up front, else as the
 * bytes arrive) and gives them back when it finishes; a body that does not fit is not stored and is refused with
 * 503 + {@code Retry-After}: the budget frees as other requests finish.
 */
public final class BodyBudget {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final AtomicLong held = new AtomicLong();
    private final LongSupplier limit;

    /** {@code limit} is read at every reservation, so a config reload applies to the next one. */
    public BodyBudget(LongSupplier limit) {
        this.limit = limit;
    }

    /** Bytes currently reserved by all requests. */
    public long held() {
        return held.get();
    }

    public Lease lease() {
        return new Lease();
    }

    /** The refusal for a body that does not fit. */
    public ApiError refusal() {
        return new ApiError(503, "api_error", "body_budget_exceeded", "The gateway already holds its limit of request bodies ("
                + limit.getAsLong() + " bytes, body_budget); retry shortly.", null, RETRY_AFTER);
    }

    /** One request's share; not thread-safe (a request's body is read on its event loop). */
    public final class Lease {
        private long mine;

        private Lease() {}

        /** Reserves {@code n} more bytes; false (nothing reserved) when the budget cannot hold them. */
        public boolean grow(long n) {
            long max = limit.getAsLong();
            while (true) {
                long now = held.get();
                if (now + n > max) return false;
                if (held.compareAndSet(now, now + n)) {
                    mine += n;
                    return true;
                }
            }
        }

        /** Gives everything back (idempotent). */
        public void release() {
            if (mine == 0) return;
            held.addAndGet(-mine);
            mine = 0;
        }
    }
}
