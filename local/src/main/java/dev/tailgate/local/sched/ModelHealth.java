package dev.tailgate.local.sched;

import dev.tailgate.local.engine.ProcessFootprint;
import dev.tailgate.local.store.Downloads;

/**
 * A point-in-time view of one model for /status, /health and /metrics. Times are milliseconds ago (0 when there is no
 * job); {@code reason} is null when there is nothing to explain; {@code process} is null unless a worker or server
 * process runs the model. {@code unloadInMs}: how long until keep-alive unloads
 * the model if it stays idle (-1 when it is not loaded and idle, or keep_alive is 0). {@code download} is non-null
 * exactly when the state is {@link ModelState#DOWNLOADING}.
 */
public record ModelHealth(
        String id,
        String capability,
        ModelState state,
        String reason,
        int inFlight,
        int queued,
        long oldestJobMs,
        long lastProgressMs,
        long memoryBytes,
        long unloadInMs,
        ProcessFootprint process,
        Downloads.Snapshot download) {}
