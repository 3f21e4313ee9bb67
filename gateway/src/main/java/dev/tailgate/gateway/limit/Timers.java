package dev.tailgate.gateway.limit;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One-shot timers, injected so the limiter's queue timeout runs on Vert.x timers in the gateway and on a hand-driven
 * fake in tests (no sleeps).
 */
@FunctionalInterface
public interface Timers {
    /** Runs {@code task} once after {@code delay}; the returned handle cancels it (no-op if it already ran). */
    Cancellable schedule(Duration delay, Runnable task);

    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }

    static Timers of(ScheduledExecutorService scheduler) {
        return (delay, task) -> {
            var f = scheduler.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            return () -> f.cancel(false);
        };
    }

    /** Vert.x timers: the task runs on the event loop of the calling context (or a Vert.x thread when called outside one). */
    static Timers of(io.vertx.core.Vertx vertx) {
        return (delay, task) -> {
            long id = vertx.setTimer(Math.max(1, delay.toMillis()), ignored -> task.run());
            return () -> vertx.cancelTimer(id);
        };
    }
}
