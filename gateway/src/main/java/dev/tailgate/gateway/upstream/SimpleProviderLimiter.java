package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/** Counting semaphore with a bounded FIFO queue of waiters. Thread-safe; completes waiters outside the lock. */
public final class SimpleProviderLimiter implements ProviderLimiter {
    private final String name;
    private final ArrayDeque<Promise<Permit>> waiters = new ArrayDeque<>();
    private int maxConcurrency;
    private int maxQueue;
    private int inFlight;

    public SimpleProviderLimiter(String name, int maxConcurrency, int maxQueue) {
        this.name = name;
        this.maxConcurrency = maxConcurrency;
        this.maxQueue = maxQueue;
    }

    @Override
    public Future<Permit> acquire() {
        synchronized (this) {
            if (inFlight < maxConcurrency && waiters.isEmpty()) {
                inFlight++;
                return Future.succeededFuture(new OnePermit());
            }
            if (waiters.size() >= maxQueue) {
                return Future.failedFuture(new ApiException(
                        ApiError.queueFull("provider '" + name + "'", waiters.size(), Duration.ofSeconds(1))));
            }
            Promise<Permit> p = Promise.promise();
            waiters.add(p);
            return p.future();
        }
    }

    private void releaseOne() {
        Promise<Permit> next;
        synchronized (this) {
            next = waiters.poll();
            if (next == null || inFlight > maxConcurrency) {
                inFlight--;
                if (next != null) waiters.addFirst(next);
                return;
            }
            // the slot passes straight to the next waiter: inFlight stays the same
        }
        next.complete(new OnePermit());
    }

    @Override
    public synchronized int inFlight() {
        return inFlight;
    }

    @Override
    public synchronized int queued() {
        return waiters.size();
    }

    @Override
    public void reconfigure(int maxConcurrency, int maxQueue) {
        java.util.List<Promise<Permit>> admit = new java.util.ArrayList<>();
        synchronized (this) {
            this.maxConcurrency = maxConcurrency;
            this.maxQueue = maxQueue;
            while (inFlight < maxConcurrency && !waiters.isEmpty()) {
                inFlight++;
                admit.add(waiters.poll());
            }
        }
        admit.forEach(p -> p.complete(new OnePermit()));
    }

    private final class OnePermit implements Permit {
        private final AtomicBoolean released = new AtomicBoolean();

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) releaseOne();
        }
    }
}
