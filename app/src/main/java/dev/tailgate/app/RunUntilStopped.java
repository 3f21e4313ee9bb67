package dev.tailgate.app;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * How a long-running command stops: on SIGTERM or Ctrl-C the registered stop action runs (once) and the command's
 * thread is released. The stop action is registered <em>before</em> anything starts, so a signal that arrives
 * during start-up still closes what has started (qwen-local's worker processes included). Tests substitute an
 * implementation that simulates the signal.
 */
public interface RunUntilStopped {
    /** Registers the action to run on stop. Called once, before the services start. */
    void onStop(Runnable stopAll);

    /** Blocks until stop was requested and the stop action has finished. */
    void await() throws InterruptedException;

    /** The real one: a JVM shutdown hook runs the stop action; {@link #await} parks until then. */
    static RunUntilStopped shutdownHook() {
        return new RunUntilStopped() {
            private final CountDownLatch stopped = new CountDownLatch(1);

            @Override
            public void onStop(Runnable stopAll) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        stopAll.run();
                    } finally {
                        stopped.countDown();
                    }
                }, "tailgate-shutdown"));
            }

            @Override
            public void await() throws InterruptedException {
                stopped.await();
            }
        };
    }

    /** Closes each service in the given order, reporting but not propagating a failure of one. */
    static void closeAll(List<Services.Started> inOrder, PrintWriter err) {
        for (Services.Started s : inOrder) {
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
