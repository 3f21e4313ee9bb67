package dev.tailgate.local.sched;

/** The caller's handle on an admitted job. */
public interface Ticket {
    /**
     * The client went away: a waiting job leaves the queue, a running one is cancelled in the engine. The listener
     * then gets {@code onError(CANCELLED)}. Idempotent, never blocks.
     */
    void cancel();
}
