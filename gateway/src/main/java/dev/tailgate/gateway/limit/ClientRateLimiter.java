package dev.tailgate.gateway.limit;

import dev.tailgate.wire.ApiError;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-client requests/minute and tokens/minute, as token buckets on an injected ticker. A request is admitted only when
 * both buckets allow it (then both are charged); otherwise it gets 429 {@code rate_limited} with the exact wait as
 * Retry-After. Tokens are charged on the prompt estimate at admission and settled with real usage afterwards.
 */
public final class ClientRateLimiter {
    private final Map<String, ClientLimits> limits;
    private final LongSupplier ticker;
    private final Map<String, TokenBucket> requestBuckets = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> tokenBuckets = new ConcurrentHashMap<>();

    public ClientRateLimiter(Map<String, ClientLimits> limitsByClient, LongSupplier nanoTicker) {
        this.limits = Map.copyOf(limitsByClient);
        this.ticker = nanoTicker;
    }

    /** Admits and charges, or says why not. */
    public Optional<ApiError> tryAdmit(String client, long estimatedTokens) {
        ClientLimits l = limits.getOrDefault(client, ClientLimits.NONE);
        TokenBucket rq = l.rpm() > 0 ? requestBuckets.computeIfAbsent(client, c -> new TokenBucket(l.rpm(), ticker)) : null;
        TokenBucket tk = l.tpm() > 0 ? tokenBuckets.computeIfAbsent(client, c -> new TokenBucket(l.tpm(), ticker)) : null;
        if (rq == null && tk == null) return Optional.empty();
        // Both buckets checked and charged under one lock per client, so two racing requests cannot both slip through.
        synchronized (lockFor(client)) {
            long waitRq = rq == null ? 0 : rq.nanosUntil(1);
            long waitTk = tk == null ? 0 : tk.nanosUntil(estimatedTokens);
            if (waitRq > 0 || waitTk > 0) {
                String which = waitRq >= waitTk ? l.rpm() + " requests per minute" : l.tpm() + " tokens per minute";
                return Optional.of(ApiError.rateLimited("Rate limit of client '" + client + "' reached (" + which + ").",
                        Duration.ofNanos(Math.max(waitRq, waitTk))));
            }
            if (rq != null) rq.take(1);
            if (tk != null) tk.take(estimatedTokens);
        }
        return Optional.empty();
    }

    /** After the request: charge the difference between real usage (prompt + completion) and the estimate charged. */
    public void settle(String client, long estimatedTokens, long actualTotalTokens) {
        TokenBucket tk = tokenBuckets.get(client);
        if (tk == null) return;
        long diff = actualTotalTokens - estimatedTokens;
        if (diff > 0) tk.take(diff); else if (diff < 0) tk.refund(-diff);
    }

    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    private Object lockFor(String client) {
        return locks.computeIfAbsent(client, c -> new Object());
    }
}
