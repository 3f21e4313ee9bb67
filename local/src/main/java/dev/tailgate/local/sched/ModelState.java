package dev.tailgate.local.sched;

import java.util.Locale;

/** What /status says about a model. */
public enum ModelState {
    /** Not in memory; the next request loads it. */
    UNLOADED,
    LOADING,
    /** Loaded and idle. */
    READY,
    /** Loaded and running or queueing jobs. */
    BUSY,
    /** A job made no progress for {@code stuck_after}; its worker was killed. The next request reloads. */
    STUCK,
    /** The last load failed or the worker died; the next request tries again. */
    FAILED,
    /** Cannot be served as configured (model file missing, engine binary not installed). */
    UNAVAILABLE,
    /** Its missing file is being downloaded (by {@code up}); it serves once the file is complete. */
    DOWNLOADING;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a request for this model can be expected to succeed right now (possibly after a load). */
    public boolean canServe() {
        return this == UNLOADED || this == LOADING || this == READY || this == BUSY;
    }
}
