package dev.tailgate.app;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** Stands in for the real servers: records starts and stops; each service can be told to fail instead. */
final class FakeServices implements Services {
    final List<String> events = new CopyOnWriteArrayList<>();
    Supplier<RuntimeException> gatewayFailure;
    Supplier<RuntimeException> localFailure;
    Path gatewayConfig;
    Path localConfig;
    Integer gatewayPort;
    Integer localPort;
    /** Runs inside startGateway, before it returns (e.g. a signal arriving during start-up). */
    Runnable duringGatewayStart = () -> {};

    @Override
    public Started startGateway(Path config, String host, Integer port,
                                java.util.function.UnaryOperator<dev.tailgate.gateway.config.GatewayConfig> adjust) {
        gatewayConfig = config;
        gatewayPort = port;
        if (gatewayFailure != null) throw gatewayFailure.get();
        events.add("start gateway");
        duringGatewayStart.run();
        return new Started("gateway", port == null ? 18080 : port, () -> events.add("stop gateway"));
    }

    @Override
    public Started startLocal(Path config, String host, Integer port) {
        localConfig = config;
        localPort = port;
        if (localFailure != null) throw localFailure.get();
        events.add("start local");
        return new Started("qwen-local", port == null ? 18081 : port, () -> events.add("stop local"));
    }
}
