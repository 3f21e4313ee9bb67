package dev.tailgate.app;

/** Stands in for SIGTERM: {@link #signal()} runs the registered stop action; {@link #await()} signals at once. */
final class SimulatedSignal implements RunUntilStopped {
    private volatile Runnable stopAll;

    @Override
    public void onStop(Runnable stopAll) {
        this.stopAll = stopAll;
    }

    @Override
    public void await() {
        signal();
    }

    void signal() {
        Runnable r = stopAll;
        if (r == null) throw new IllegalStateException("no stop action registered before the services started");
        r.run();
    }
}
