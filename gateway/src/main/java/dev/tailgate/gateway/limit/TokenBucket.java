package dev.tailgate.gateway.limit;

import java.util.function.LongSupplier;

/**
 * A token bucket refilled continuously at {@code perMinute}, holding at most {@code perMinute} (one minute's burst).
 * Time is an injected nanosecond ticker. The level may go below zero: a request larger than the whole bucket is let
 * through when the bucket is full and leaves a debt, and usage reported after the fact is debited; either way the
 * client then waits until the debt is paid back.
 */
public final class TokenBucket {
    private static final double NANOS_PER_MINUTE = 60e9;

    private final double capacity;
    private final double perNano;
    private final LongSupplier ticker;
    private double level;
    private long lastRefill;

    public TokenBucket(long perMinute, LongSupplier ticker) {
        if (perMinute < 1) throw new IllegalArgumentException("a rate must be >= 1 per minute");
        this.capacity = perMinute;
        this.perNano = perMinute / NANOS_PER_MINUTE;
        this.ticker = ticker;
        this.level = capacity;
        this.lastRefill = ticker.getAsLong();
    }

    /** Nanoseconds until {@code n} could be taken; 0 means it can be taken now (nothing is taken). */
    public synchronized long nanosUntil(long n) {
        refill();
        double need = Math.min(n, capacity);
        return level >= need ? 0 : (long) Math.ceil((need - level) / perNano);
    }

    /** Takes {@code n}; call after {@link #nanosUntil} said 0. */
    public synchronized void take(long n) {
        refill();
        level -= n;
    }

    /** Puts back tokens taken on an estimate that proved too high (never above capacity). */
    public synchronized void refund(long n) {
        refill();
        level = Math.min(capacity, level + n);
    }

    public synchronized double level() {
        refill();
        return level;
    }

    private void refill() {
        long now = ticker.getAsLong();
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            level = Math.min(capacity, level + elapsed * perNano);
            lastRefill = now;
        }
    }
}
