package dev.tailgate.local.sched;

import java.time.Duration;

/** Hooks for metrics. Called outside the scheduler lock; implementations must be fast and never throw. */
public interface SchedulerEvents {
    SchedulerEvents NONE = new SchedulerEvents() {};

    /** A job left the queue and started on the engine after waiting {@code queueWait}. */
    default void started(String model, Duration queueWait) {}

    /**
     * A job ended; {@code outcome} is "ok" or the failure kind in lower case. {@code onEngine} is the time since the
     * engine got the job (prefill and decode), null when it never reached the engine.
     */
    default void finished(String model, String outcome, Duration total, Duration onEngine, int completionTokens) {}

    /** A model load ended after {@code took}; {@code ok} false when it failed. */
    default void loaded(String model, Duration took, boolean ok) {}
}
