package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/** Counting semaphore with a bounded FIFO queue of waiters. Thread-safe; completes waiters outside the lock. */
public final class SimpleProviderLimiter implements ProviderLimiter {
    private final String name;
    /** A queued request and the Vert.x context it waits on, so it resumes on its own event loop. */
    private record Waiter(Promise<Permit> promise, Context context) {
        void admit(Permit p) {
            if (context == null) promise.complete(p);
            else context.runOnContext(v -> promise.complete(p));
        }
    }

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
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
            waiters.add(new Waiter(p, Vertx.currentContext()));
            return p.future();
        }
    }

    private void releaseOne() {
        Waiter next;
        synchronized (this) {
            next = waiters.poll();
            if (next == null || inFlight > maxConcurrency) {
                inFlight--;
                if (next != null) waiters.addFirst(next);
                return;
            }
            // the slot passes straight to the next waiter: inFlight stays the same
        }
        next.admit(new OnePermit());
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
        java.util.List<Waiter> admit = new java.util.ArrayList<>();
        synchronized (this) {
            this.maxConcurrency = maxConcurrency;
            this.maxQueue = maxQueue;
            while (inFlight < maxConcurrency && !waiters.isEmpty()) {
                inFlight++;
                admit.add(waiters.poll());
            }
        }
        admit.forEach(w -> w.admit(new OnePermit()));
    }

    private final class OnePermit implements Permit {
        private final AtomicBoolean released = new AtomicBoolean();

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) releaseOne();
        }
    }
}
