package dev.tailgate.gateway.limit;

import dev.tailgate.wire.ApiError;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Admission to one provider: at most {@code maxConcurrency} requests in flight, then a FIFO queue of at most
 * {@code maxQueue} waiters, each waiting at most {@code queueTimeout}. One more is refused at once with 429
 * {@code queue_full} and a Retry-After; a waiter that times out gets the same refusal.
 *
 * <p>Never blocks: {@link #acquire()} returns a future. Futures complete on whichever thread frees the slot (or the
 * timer's thread), so a Vert.x caller should hop back to its context
 * ({@code Future.fromCompletionStage(f, ctx)}). A waiter whose client disconnects is removed by cancelling its future
 * — use {@link #abandon} so that a permit granted in the same instant is released, never leaked.
 */
public final class ProviderLimiter {
    private final String provider;
    private int maxConcurrency; // guarded by this
    private int maxQueue;       // guarded by this
    private final Duration queueTimeout;
    private final Duration retryAfter;
    private final Timers timers;

    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    private int inFlight;

    private static final class Waiter {
        final CompletableFuture<Permit> future = new CompletableFuture<>();
        Timers.Cancellable timer;
    }

    public ProviderLimiter(String provider, int maxConcurrency, int maxQueue, Duration queueTimeout, Timers timers) {
        if (maxConcurrency < 1) throw new IllegalArgumentException("max_concurrency of provider '" + provider + "' must be >= 1");
        if (maxQueue < 0) throw new IllegalArgumentException("max_queue of provider '" + provider + "' must be >= 0");
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("queue_timeout of provider '" + provider + "' must be > 0");
        }
        this.provider = provider;
        this.maxConcurrency = maxConcurrency;
        this.maxQueue = maxQueue;
        this.queueTimeout = queueTimeout;
        // A client refused now should come back roughly when a queue's worth of work has moved on; bounded so it is useful.
        this.retryAfter = clamp(queueTimeout, Duration.ofSeconds(1), Duration.ofSeconds(30));
        this.timers = timers;
    }

    public String provider() {
        return provider;
    }

    public CompletableFuture<Permit> acquire() {
        Waiter w;
        synchronized (this) {
            if (inFlight < maxConcurrency && queue.isEmpty()) {
                inFlight++;
                return CompletableFuture.completedFuture(newPermit());
            }
            if (queue.size() >= maxQueue) {
                return CompletableFuture.failedFuture(new AdmissionRefusedException(refusal(queue.size())));
            }
            w = new Waiter();
            queue.addLast(w);
        }
        w.timer = timers.schedule(queueTimeout, () -> timeOut(w));
        // Cancelled by the caller (client went away): leave the queue. Runs after the timer is set, so it cancels it too.
        w.future.whenComplete((permit, err) -> {
            if (w.future.isCancelled()) {
                synchronized (this) {
                    queue.remove(w);
                }
                w.timer.cancel();
            }
        });
        return w.future;
    }

    /**
     * Gives up a request that may still be waiting: cancels the wait, or releases the permit if it was granted already.
     * Safe to call at any time, any number of times.
     */
    public static void abandon(CompletableFuture<Permit> pending) {
        if (!pending.cancel(false)) {
            pending.thenAccept(Permit::release);
        }
    }

    private void timeOut(Waiter w) {
        int waiting;
        synchronized (this) {
            if (!queue.remove(w)) return; // already granted or cancelled
            waiting = queue.size();
        }
        w.future.completeExceptionally(new AdmissionRefusedException(ApiError.queueFull(
                "Provider '" + provider + "' (waited " + dev.tailgate.wire.Durations.format(queueTimeout) + ")", waiting, retryAfter)));
    }

    private Permit newPermit() {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) onRelease();
        };
    }

    private void onRelease() {
        List<Waiter> granted = new ArrayList<>(1);
        synchronized (this) {
            inFlight--;
            while (inFlight < maxConcurrency && !queue.isEmpty()) {
                granted.add(queue.pollFirst());
                inFlight++;
            }
        }
        grant(granted);
    }

    /** Completes granted waiters outside the lock: callbacks may re-enter the limiter. */
    private void grant(List<Waiter> granted) {
        for (Waiter w : granted) {
            if (w.timer != null) w.timer.cancel();
            Permit p = newPermit();
            if (!w.future.complete(p)) p.release(); // cancelled in the same instant: hand the slot on
        }
    }

    private ApiError refusal(int waiting) {
        return ApiError.queueFull("Provider '" + provider + "'", waiting, retryAfter);
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized int queued() {
        return queue.size();
    }

    /** Every slot taken and the queue full: a new request would be refused. The policy routes around it. */
    public synchronized boolean saturated() {
        return inFlight >= maxConcurrency && queue.size() >= maxQueue;
    }

    public synchronized int maxConcurrency() {
        return maxConcurrency;
    }

    public synchronized int maxQueue() {
        return maxQueue;
    }

    /**
     * New limits after a config reload. Requests in flight keep their slots; waiters beyond a smaller queue keep
     * waiting (they were admitted to the queue); a larger concurrency admits waiters at once.
     */
    public void reconfigure(int newMaxConcurrency, int newMaxQueue) {
        if (newMaxConcurrency < 1 || newMaxQueue < 0) throw new IllegalArgumentException("max_concurrency >= 1 and max_queue >= 0");
        List<Waiter> granted = new ArrayList<>();
        synchronized (this) {
            maxConcurrency = newMaxConcurrency;
            maxQueue = newMaxQueue;
            while (inFlight < maxConcurrency && !queue.isEmpty()) {
                granted.add(queue.pollFirst());
                inFlight++;
            }
        }
        grant(granted);
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }
}
