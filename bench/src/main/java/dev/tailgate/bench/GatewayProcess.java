package dev.tailgate.bench;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.wire.LogDefaults;
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
        LogDefaults.apply(); // as the launcher runs the gateway
        try (GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(Path.of(args[0])))) {
            System.out.println("listening " + gw.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // the bench closes our stdin when it is done (or dies)
            }
        }
    }
}
