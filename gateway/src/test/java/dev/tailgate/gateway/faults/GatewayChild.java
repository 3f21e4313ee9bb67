package dev.tailgate.gateway.faults;

import dev.tailgate.gateway.GatewayServer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Child process for {@link KillUnderLoadTest}: the real gateway (policy boundary and ledger on, as the launcher runs
 * it, probes off) from a config file, printing "port N" once it listens, then serving until it is killed.
 */
public final class GatewayChild {
    public static void main(String[] args) throws Exception {
        GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(Path.of(args[0])).listen("127.0.0.1", 0)
                .env(Map.of("TG_KEY", FaultGateway.CLIENT_KEY)).activeProbes(false));
        System.out.println("port " + gw.port());
        System.out.flush();
        Thread.currentThread().join(); // until SIGKILL
    }
}
