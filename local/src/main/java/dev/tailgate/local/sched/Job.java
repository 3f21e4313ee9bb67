package dev.tailgate.local.sched;

import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.RunningJob;

/**
 * One request inside the scheduler, from admission to its single terminal callback. Mutable fields are guarded by the
 * scheduler lock; {@code done} makes the first terminal outcome win (engine callback, watchdog, cancel or shutdown).
 */
final class Job implements Ticket {
    final Scheduler scheduler;
    final ModelSlot slot;
    final EngineRequest request;
    final JobListener downstream;
    final long enqueuedAt;

    long startedAt;
    /** System.nanoTime() when the job was handed to the engine (0 before): the tokens/s metric's clock. */
    long engineNanos;
    long lastProgressAt;
    int completionTokens;
    boolean running;
    boolean done;
    boolean cancelRequested;
    LoadedModel model;
    RunningJob handle;

    Job(Scheduler scheduler, ModelSlot slot, EngineRequest request, JobListener downstream, long now) {
        this.scheduler = scheduler;
        this.slot = slot;
        this.request = request;
        this.downstream = downstream;
        this.enqueuedAt = now;
    }

    @Override
    public void cancel() {
        scheduler.cancel(this);
    }
}
