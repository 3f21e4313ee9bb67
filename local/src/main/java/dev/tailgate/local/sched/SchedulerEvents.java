package dev.tailgate.local.sched;

import java.time.Duration;

/** Hooks for metrics. Called outside the scheduler lock; implementations must be fast and never throw. */
public interface SchedulerEvents {
    SchedulerEvents NONE = new SchedulerEvents() {};

    /** A job left the queue and started on the engine after waiting {@code queueWait}. */
    default void started(String model, Duration queueWait) {}

    /** A job ended; {@code outcome} is "ok" or the failure kind in lower case. */
    default void finished(String model, String outcome, Duration total, int completionTokens) {}
}
