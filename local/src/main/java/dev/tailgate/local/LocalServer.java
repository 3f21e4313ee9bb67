package dev.tailgate.local;

import java.nio.file.Path;

/**
 * The running qwen-local service: the one entry point the launcher uses.
 * (Skeleton — the qwen-local issue fills this in; the signatures are what the app module relies on.)
 */
public final class LocalServer implements AutoCloseable {
    private final int port;

    private LocalServer(int port) {
        this.port = port;
    }

    /** Loads {@code configFile}, binds (host/port override the config's {@code listen} when not null) and returns once listening. */
    public static LocalServer start(Path configFile, String host, Integer port) {
        throw new UnsupportedOperationException("qwen-local not built yet");
    }

    public int port() {
        return port;
    }

    /** Graceful stop: refuse new work, finish or cancel in-flight jobs within the grace period, stop workers. */
    @Override
    public void close() {}
}
