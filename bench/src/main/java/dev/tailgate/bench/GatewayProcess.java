package dev.tailgate.bench;

import dev.tailgate.gateway.GatewayServer;
import java.nio.file.Path;

/**
 * The gateway as its own process for {@link GatewayOverhead}: started from the bench's classpath with the launcher's
 * JVM flags, logging as {@code ./tailgate gateway} logs (slf4j-simple at info with timestamps, so the access log line
 * of every request is written, to stderr), so the CPU the bench reads from {@code /proc/PID/stat} is the gateway's
 * alone — not the load client's, not the fake upstream's, not their JIT or GC threads.
 *
 * <p>Args: the config file. Prints {@code listening PORT} on stdout once it serves; closes when stdin ends.
 */
public final class GatewayProcess {
    private GatewayProcess() {}

    public static void main(String[] args) throws Exception {
        // The same defaults as app's Logging.configureDefaults (bench cannot see app); -D flags win.
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setIfAbsent("org.slf4j.simpleLogger.log.io.netty", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.vertx", "warn");
        try (GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(Path.of(args[0])))) {
            System.out.println("listening " + gw.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // the bench closes our stdin when it is done (or dies)
            }
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
