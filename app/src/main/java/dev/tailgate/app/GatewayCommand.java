package dev.tailgate.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailgate gateway --config FILE}: the gateway alone, until SIGTERM. */
@Command(name = "gateway", description = "Run the gateway alone until stopped (SIGTERM or Ctrl-C).",
        mixinStandardHelpOptions = true)
public final class GatewayCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The gateway config (YAML).")
    Path config;

    @Option(names = "--host", paramLabel = "H", description = "Listen on this address (overrides listen:).")
    String host;

    @Option(names = "--port", paramLabel = "P", description = "Listen on this port (overrides listen:; 0 = any free).")
    Integer port;

    private final Services services;
    private final RunUntilStopped waiter;

    public GatewayCommand() {
        this(Services.REAL, RunUntilStopped.shutdownHook());
    }

    GatewayCommand(Services services, RunUntilStopped waiter) {
        this.services = services;
        this.waiter = waiter;
    }

    @Override
    public Integer call() throws InterruptedException {
        Path file = requireFile(config, "gateway config");
        var err = spec.commandLine().getErr();
        StartedServices started = new StartedServices(err, null);
        waiter.onStop(started::stopAll); // before the start: a signal during start-up still stops the service
        Services.Started gw = services.startGateway(file, host, port);
        if (!started.add(gw)) return Main.FAILURE; // stopped while starting
        err.println("tailgate: gateway listening on port " + gw.port() + " (config " + file + "); stop with Ctrl-C or SIGTERM");
        err.flush();
        waiter.await();
        return Main.OK;
    }

    static Path requireFile(Path config, String what) {
        Path file = Home.expand(config.toString(), System.getProperty("user.home"));
        if (!Files.isRegularFile(file)) throw new UserError(what + " " + file + " does not exist");
        return file;
    }
}
