package dev.tailgate.bench.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of one process by thread name, from {@code /proc/<pid>/task/<tid>/schedstat} (nanoseconds on the CPU) and
 * {@code comm} (the JVM names its native threads after the Java thread, cut to 15 characters). Digits are dropped
 * from names so a pool's threads add up ({@code vert.x-eventloop-thread-0} and {@code -1} are one group). Linux only;
 * elsewhere every snapshot is empty. Threads that ended between two snapshots are not counted.
 */
record ThreadCpu(Map<Long, Sample> threads) {
    record Sample(String group, long nanos) {}

    static ThreadCpu of(long pid) {
        Map<Long, Sample> threads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String group = Files.readString(task.resolve("comm")).strip().replaceAll("[0-9]+", "#");
                    long nanos = Long.parseLong(Files.readString(task.resolve("schedstat")).strip().split(" ")[0]);
                    threads.put(Long.parseLong(task.getFileName().toString()), new Sample(group, nanos));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we looked
                }
            });
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return new ThreadCpu(threads);
    }

    /** Nanoseconds each thread group spent on a CPU since {@code before}. */
    Map<String, Long> since(ThreadCpu before) {
        Map<String, Long> out = new HashMap<>();
        threads.forEach((tid, now) -> {
            Sample then = before.threads.get(tid);
            long used = now.nanos - (then == null ? 0 : then.nanos);
            if (used > 0) out.merge(now.group, used, Long::sum);
        });
        return out;
    }
}
