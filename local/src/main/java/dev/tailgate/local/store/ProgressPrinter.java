package dev.tailgate.local.store;

import dev.tailgate.wire.ByteSizes;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Prints progress to stderr. On a terminal: one line redrawn in place (bar, percent, bytes, rate, ETA) at most
 * ~10 times a second. Otherwise (logs, CI): a plain line at each 10% step, so logs stay short.
 */
public final class ProgressPrinter implements PullProgress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier ticker;

    private String name = "";
    private long total;
    private long startBytes;
    private long startNanos;
    private long lastDrawNanos;
    private int lastDecile;
    private long current;
    private boolean drawn;

    public ProgressPrinter(PrintWriter err, boolean terminal, LongSupplier ticker) {
        this.err = err;
        this.terminal = terminal;
        this.ticker = ticker;
    }

    @Override
    public synchronized void started(String fileName, long totalBytes, long alreadyHave) {
        name = fileName;
        total = totalBytes;
        startBytes = alreadyHave;
        current = alreadyHave;
        startNanos = ticker.getAsLong();
        lastDrawNanos = Long.MIN_VALUE;
        lastDecile = decile(alreadyHave);
        drawn = false;
        if (!terminal) {
            err.println(alreadyHave > 0
                    ? "resuming " + fileName + " at " + ByteSizes.format(alreadyHave) + " of " + ByteSizes.format(totalBytes)
                    : "downloading " + fileName + " (" + ByteSizes.format(totalBytes) + ")");
            err.flush();
        } else {
            draw(startNanos);
        }
    }

    @Override
    public synchronized void advanced(long bytesOnDisk) {
        current = bytesOnDisk;
        long now = ticker.getAsLong();
        if (terminal) {
            if (now - lastDrawNanos >= REDRAW_NANOS || bytesOnDisk >= total) draw(now);
            return;
        }
        int d = decile(bytesOnDisk);
        if (d > lastDecile) {
            lastDecile = d;
            err.println("  " + name + ": " + status(now));
            err.flush();
        }
    }

    @Override
    public synchronized void finished() {
        if (terminal && drawn) {
            draw(ticker.getAsLong());
            err.println();
            err.flush();
        }
    }

    private void draw(long now) {
        lastDrawNanos = now;
        drawn = true;
        int filled = total <= 0 ? 0 : (int) Math.min(BAR_WIDTH, current * BAR_WIDTH / total);
        String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
        err.print("\r" + name + " [" + bar + "] " + status(now) + "\u001b[K");
        err.flush();
    }

    /** {@code 42.0%  1.2 GiB / 2.9 GiB  12.3 MiB/s  ETA 2m21s} — rate counts only this session's bytes. */
    String status(long now) {
        double pct = total <= 0 ? 100 : 100.0 * current / total;
        long seconds = Math.max(0, now - startNanos) / 1_000_000_000L;
        double elapsed = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = (current - startBytes) / elapsed;
        String rateText = seconds == 0 && current == startBytes ? "--" : ByteSizes.format((long) rate) + "/s";
        String eta = rate <= 0 ? "--" : formatDuration((long) ((total - current) / rate));
        return String.format(Locale.ROOT, "%5.1f%%  %s / %s  %s  ETA %s", pct, ByteSizes.format(current), ByteSizes.format(total), rateText, eta);
    }

    static String formatDuration(long seconds) {
        if (seconds >= 3600) return seconds / 3600 + "h" + String.format(Locale.ROOT, "%02dm", seconds % 3600 / 60);
        if (seconds >= 60) return seconds / 60 + "m" + String.format(Locale.ROOT, "%02ds", seconds % 60);
        return seconds + "s";
    }

    private int decile(long bytes) {
        return total <= 0 ? 10 : (int) Math.min(10, bytes * 10 / total);
    }
}
