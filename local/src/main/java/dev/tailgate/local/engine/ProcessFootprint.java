package dev.tailgate.local.engine;

/**
 * The process a loaded model runs in, as /status reports it: its pid, its resident memory now, the size of the model's
 * weights file(s), and what the process holds beyond those weights ({@code rss - weights}, never below 0): the JVM or
 * server, the libraries and the engine's buffers.
 */
public record ProcessFootprint(long pid, long rssBytes, long weightsBytes) {

    public long overheadBytes() {
        return Math.max(0, rssBytes - weightsBytes);
    }

    /** The footprint of a running process; null when its memory cannot be read (not Linux, or it has exited). */
    public static ProcessFootprint of(long pid, long weightsBytes) {
        var rss = ProcessMemory.residentBytes(pid);
        return rss.isPresent() ? new ProcessFootprint(pid, rss.getAsLong(), weightsBytes) : null;
    }
}
