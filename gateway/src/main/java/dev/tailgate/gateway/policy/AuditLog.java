package dev.tailgate.gateway.policy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every routing decision as one JSON line to the {@code audit_log} file and keeps the last N in memory for
 * {@code GET /admin/audit} and {@code ./tailgate status}.
 *
 * <p>One line is a single small {@code write} to a file opened with O_APPEND, so lines from one process never
 * interleave and a crash loses at most a line being written. A write failure (disk full) is logged once per streak
 * and never fails the request: the ring still holds the decision.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    /** Default size at which the file is rotated to {@code <file>.1} (the previous {@code .1} is dropped). */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    private final Clock clock;
    private final int capacity;
    private final ArrayDeque<AuditEntry> ring;
    private final Path file;
    private final long maxBytes;
    private OutputStream out;
    private long size;
    private boolean failing;

    /** @param file null keeps decisions in memory only */
    public AuditLog(Path file, int capacity, Clock clock) throws IOException {
        this(file, capacity, DEFAULT_MAX_BYTES, clock);
    }

    /** @param maxBytes the file is rotated once it reaches this size, so the log never fills the disk (at most 2 files) */
    public AuditLog(Path file, int capacity, long maxBytes, Clock clock) throws IOException {
        if (capacity < 1) throw new IllegalArgumentException("audit ring capacity must be at least 1");
        if (maxBytes < 1) throw new IllegalArgumentException("audit log max size must be positive");
        this.clock = clock;
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(capacity);
        this.file = file;
        this.maxBytes = maxBytes;
        if (file != null) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            openFile();
        }
    }

    private void openFile() throws IOException {
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        size = Files.size(file);
    }

    private void rotate() throws IOException {
        out.close();
        Files.move(file, file.resolveSibling(file.getFileName() + ".1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        openFile();
    }

    public static AuditLog inMemory(int capacity, Clock clock) {
        try {
            return new AuditLog(null, capacity, clock);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Records a decision (call once per plan, routed or refused) and returns the entry written. */
    public AuditEntry record(RoutePlan plan) {
        AuditEntry entry = AuditEntry.of(clock.instant(), plan);
        byte[] line = entry.jsonLine();
        synchronized (this) {
            if (ring.size() == capacity) ring.removeFirst();
            ring.addLast(entry);
            if (out != null) {
                try {
                    if (size > 0 && size + line.length > maxBytes) rotate();
                    out.write(line);
                    out.flush();
                    size += line.length;
                    failing = false;
                } catch (IOException e) {
                    if (!failing) LOG.warn("audit log write failed: {}", e.toString());
                    failing = true;
                }
            }
        }
        return entry;
    }

    /** The last {@code max} decisions, oldest first. */
    public synchronized List<AuditEntry> recent(int max) {
        List<AuditEntry> all = new ArrayList<>(ring);
        return all.subList(Math.max(0, all.size() - max), all.size());
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) out.close();
    }
}
