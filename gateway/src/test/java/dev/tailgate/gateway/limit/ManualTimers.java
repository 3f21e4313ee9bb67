package dev.tailgate.gateway.limit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Timers that fire only when the test says so. */
final class ManualTimers implements Timers {
    private final List<Entry> pending = new ArrayList<>();
    private long now;

    private final class Entry {
        final long due;
        final Runnable task;
        boolean cancelled;

        Entry(long due, Runnable task) {
            this.due = due;
            this.task = task;
        }
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Entry e = new Entry(now + delay.toMillis(), task);
        pending.add(e);
        return () -> {
            synchronized (ManualTimers.this) {
                e.cancelled = true;
            }
        };
    }

    /** Moves time on and runs (outside the lock) every timer now due. */
    void advance(Duration d) {
        List<Runnable> due = new ArrayList<>();
        synchronized (this) {
            now += d.toMillis();
            pending.removeIf(e -> {
                if (e.cancelled) return true;
                if (e.due <= now) {
                    due.add(e.task);
                    return true;
                }
                return false;
            });
        }
        due.forEach(Runnable::run);
    }

    synchronized long live() {
        return pending.stream().filter(e -> !e.cancelled).count();
    }
}
