package dev.tailgate.local.store;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Knobs for one pull. Defaults suit a real network; tests shrink them.
 *
 * @param connectTimeout TCP/TLS connect
 * @param readIdleTimeout no response headers, or no body bytes, for this long = the transfer is dead
 * @param retries        automatic resumes after a network failure within one pull (each continues with Range)
 * @param retryBackoff   wait before each automatic resume (times the attempt number)
 * @param ticker         nanosecond clock for progress rate and ETA
 */
public record PullOptions(Duration connectTimeout, Duration readIdleTimeout, int retries, Duration retryBackoff, LongSupplier ticker) {
    public static PullOptions defaults() {
        return new PullOptions(Duration.ofSeconds(15), Duration.ofSeconds(60), 3, Duration.ofSeconds(2), System::nanoTime);
    }

    public PullOptions withReadIdleTimeout(Duration d) {
        return new PullOptions(connectTimeout, d, retries, retryBackoff, ticker);
    }

    public PullOptions withRetries(int n, Duration backoff) {
        return new PullOptions(connectTimeout, readIdleTimeout, n, backoff, ticker);
    }

    public PullOptions withTicker(LongSupplier t) {
        return new PullOptions(connectTimeout, readIdleTimeout, retries, retryBackoff, t);
    }
}
