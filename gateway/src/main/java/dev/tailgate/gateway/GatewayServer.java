package dev.tailgate.gateway;

import java.nio.file.Path;

/**
 * The running gateway: the one entry point the launcher uses.
 * (Skeleton — the gateway issue fills this in; the signatures are what the app module relies on.)
 */
public final class GatewayServer implements AutoCloseable {
    private final int port;

    private GatewayServer(int port) {
        this.port = port;
    }

    /** Loads {@code configFile}, binds (host/port override the config's {@code listen} when not null) and returns once listening. */
    public static GatewayServer start(Path configFile, String host, Integer port) {
        throw new UnsupportedOperationException("gateway not built yet");
    }

    /** The bound port (useful when the config asked for port 0). */
    public int port() {
        return port;
    }

    /** Graceful stop: refuse new work, let in-flight requests finish within the grace period, then close. */
    @Override
    public void close() {}
}
