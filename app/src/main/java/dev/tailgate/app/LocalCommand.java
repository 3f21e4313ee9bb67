package dev.tailgate.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailgate local --config FILE}: qwen-local alone, until SIGTERM. */
@Command(name = "local", description = "Run qwen-local (the local model service) alone until stopped.",
        mixinStandardHelpOptions = true)
public final class LocalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The qwen-local config (YAML).")
    Path config;

    @Option(names = "--host", paramLabel = "H", description = "Listen on this address (overrides listen:).")
    String host;

    @Option(names = "--port", paramLabel = "P", description = "Listen on this port (overrides listen:; 0 = any free).")
    Integer port;

    private final Services services;
    private final RunUntilStopped waiter;

    public LocalCommand() {
        this(Services.REAL, RunUntilStopped.shutdownHook());
    }

    LocalCommand(Services services, RunUntilStopped waiter) {
        this.services = services;
        this.waiter = waiter;
    }

    @Override
    public Integer call() throws InterruptedException {
        Path file = GatewayCommand.requireFile(config, "qwen-local config");
        var err = spec.commandLine().getErr();
        StartedServices started = new StartedServices(err, null);
        waiter.onStop(started::stopAll); // before the start: a signal during start-up still stops the service
        Services.Started local = services.startLocal(file, host, port);
        if (!started.add(local)) return Main.FAILURE; // stopped while starting
        err.println("tailgate: qwen-local listening on port " + local.port() + " (config " + file + "); stop with Ctrl-C or SIGTERM");
        err.flush();
        waiter.await();
        return Main.OK;
    }
}
