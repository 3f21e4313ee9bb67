package dev.tailgate.local.store;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Model files being downloaded while qwen-local runs, by model id: what {@code /status} shows as the
 * {@code downloading} state (percent, rate, ETA). A download is listed from its start until it ends either way.
 */
public final class Downloads {
    /** One download now. {@code etaSeconds} is -1 while the rate is not known yet. */
    public record Snapshot(String fileName, long bytes, long totalBytes, long bytesPerSecond, long etaSeconds) {
        /** Retry-After while the ETA is not known yet. */
        static final Duration RETRY_UNKNOWN_ETA = Duration.ofSeconds(30);
        /** Retry-After at most this: a client should not sleep through the end of a long download's estimate. */
        static final Duration RETRY_MAX = Duration.ofSeconds(60);

        public int percent() {
            return totalBytes <= 0 ? 0 : (int) Math.min(100, bytes * 100 / totalBytes);
        }

        /** "downloading FILE (P%, about N s left)", for /status's reason and the 503 a request gets meanwhile. */
        public String describe() {
            return "downloading " + fileName + " (" + percent() + "%" + (etaSeconds >= 0 ? ", about " + etaSeconds + " s left" : "") + ")";
        }

        /** When a request for the model is worth retrying: the ETA, between 1 s and {@link #RETRY_MAX}. */
        public Duration retryAfter() {
            if (etaSeconds < 0) return RETRY_UNKNOWN_ETA;
            return Duration.ofSeconds(Math.clamp(etaSeconds, 1, RETRY_MAX.toSeconds()));
        }
    }

    private final Map<String, Tracker> active = new ConcurrentHashMap<>();

    /** Starts listing {@code modelId}; the returned progress feeds its snapshot. Call {@link #ended} when it ends. */
    public PullProgress track(String modelId, LongSupplier ticker) {
        Tracker t = new Tracker(ticker);
        active.put(modelId, t);
        return t;
    }

    public void ended(String modelId) {
        active.remove(modelId);
    }

    public Optional<Snapshot> of(String modelId) {
        Tracker t = active.get(modelId);
        return t == null ? Optional.empty() : Optional.of(t.snapshot());
    }

    private static final class Tracker implements PullProgress {
        private final LongSupplier ticker;
        private String fileName = "";
        private long total;
        private long startBytes;
        private long startNanos;
        private long bytes;

        Tracker(LongSupplier ticker) {
            this.ticker = ticker;
            this.startNanos = ticker.getAsLong();
        }

        @Override
        public synchronized void started(String name, long totalBytes, long alreadyHave) {
            fileName = name;
            total = totalBytes;
            startBytes = alreadyHave;
            bytes = alreadyHave;
            startNanos = ticker.getAsLong();
        }

        @Override
        public synchronized void advanced(long bytesOnDisk) {
            bytes = bytesOnDisk;
        }

        @Override
        public void finished() {}

        synchronized Snapshot snapshot() {
            long elapsedNanos = ticker.getAsLong() - startNanos;
            long moved = bytes - startBytes;
            long rate = elapsedNanos <= 0 || moved <= 0 ? 0 : (long) (moved * 1e9 / elapsedNanos);
            long eta = rate <= 0 ? -1 : Math.max(0, total - bytes) / rate;
            return new Snapshot(fileName, bytes, total, rate, eta);
        }
    }
}
