package dev.tailgate.app;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Keeps started services running until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes them in order:
 * the gateway first (no new work reaches qwen-local), then qwen-local. A functional interface so tests can
 * simulate the signal instead of sending one.
 */
@FunctionalInterface
public interface RunUntilStopped {
    /** Blocks until stop is requested; {@code stopAll} must have run by the time the process exits. */
    void await(Runnable stopAll) throws InterruptedException;

    /** The real one: a shutdown hook does the stopping; the calling thread parks until the JVM exits. */
    RunUntilStopped SHUTDOWN_HOOK = stopAll -> {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stopAll.run();
            } finally {
                stopped.countDown();
            }
        }, "tailgate-shutdown"));
        stopped.await();
    };

    /** Closes each service (in the given order), reporting but not propagating a failure of one. */
    static void closeAll(List<Services.Started> inOrder, PrintWriter err) {
        List<Services.Started> list = new ArrayList<>(inOrder);
        for (Services.Started s : list) {
            try {
                s.handle().close();
                err.println("tailgate: " + s.name() + " stopped");
            } catch (Exception e) {
                err.println("tailgate: " + s.name() + " did not stop cleanly: " + Main.describe(e));
            }
            err.flush();
        }
    }
}
