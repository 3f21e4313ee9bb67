package dev.tailgate.app;

import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code tailgate gateway --config FILE}: the gateway alone, until SIGTERM. */
@Command(name = "gateway", description = "Run the gateway alone until stopped (SIGTERM or Ctrl-C).",
        mixinStandardHelpOptions = true)
public final class GatewayCommand extends SingleServiceCommand {

    public GatewayCommand() {
        this(Services.REAL, RunUntilStopped.shutdownHook());
    }

    GatewayCommand(Services services, RunUntilStopped waiter) {
        super(services, waiter);
    }

    @Override
    String serviceName() {
        return "gateway";
    }

    @Override
    Services.Started start(Path configFile) {
        return services.startGateway(configFile, host, port, java.util.function.UnaryOperator.identity());
    }
}
