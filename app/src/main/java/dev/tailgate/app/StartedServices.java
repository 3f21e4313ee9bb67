package dev.tailgate.app;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The services a command has started, and the one way to stop them: in reverse start order (the gateway before
 * qwen-local, so no new work reaches qwen-local while it stops), at most once, whether the stop comes from the
 * shutdown hook or from a failed start. A service whose start finishes after the stop began is closed at once.
 */
final class StartedServices {
    private final PrintWriter err;
    private final String stoppingMessage;
    private final List<Services.Started> started = new ArrayList<>();
    private boolean stopping;

    StartedServices(PrintWriter err, String stoppingMessage) {
        this.err = err;
        this.stoppingMessage = stoppingMessage;
    }

    /** Records a started service; false (and the service closed) when a stop already began. */
    synchronized boolean add(Services.Started s) {
        if (stopping) {
            RunUntilStopped.closeAll(List.of(s), err);
            return false;
        }
        started.add(s);
        return true;
    }

    synchronized List<Services.Started> list() {
        return List.copyOf(started);
    }

    synchronized boolean stopping() {
        return stopping;
    }

    /** Stops everything started so far, newest first. Later calls do nothing. */
    synchronized void stopAll() {
        if (stopping) return;
        stopping = true;
        // "stopping" after "nothing started" (a config refused before any start) would only confuse
        if (stoppingMessage != null && !started.isEmpty()) {
            err.println(stoppingMessage);
            err.flush();
        }
        RunUntilStopped.closeAll(started.reversed(), err);
    }
}
