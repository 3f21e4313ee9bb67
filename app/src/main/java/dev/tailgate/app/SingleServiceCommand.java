package dev.tailgate.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * One service alone, until SIGTERM: the shared body of {@code tailgate gateway} and {@code tailgate local}.
 * Subclasses say which service and how to name it; options, start-up order and shutdown are the same for both.
 */
abstract class SingleServiceCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The service's config (YAML).")
    Path config;

    @Option(names = "--host", paramLabel = "H", description = "Listen on this address (overrides listen:).")
    String host;

    @Option(names = "--port", paramLabel = "P", description = "Listen on this port (overrides listen:; 0 = any free).")
    Integer port;

    final Services services;
    private final RunUntilStopped waiter;

    SingleServiceCommand(Services services, RunUntilStopped waiter) {
        this.services = services;
        this.waiter = waiter;
    }

    /** The service's name in messages ("gateway", "qwen-local"). */
    abstract String serviceName();

    abstract Services.Started start(Path configFile);

    @Override
    public Integer call() throws InterruptedException {
        Path file = requireFile(config, serviceName() + " config");
        var err = spec.commandLine().getErr();
        StartedServices started = new StartedServices(err, null);
        waiter.onStop(started::stopAll); // before the start: a signal during start-up still stops the service
        Services.Started service = start(file);
        if (!started.add(service)) return Main.FAILURE; // stopped while starting
        err.println("tailgate: " + serviceName() + " listening on port " + service.port() + " (config " + file
                + "); stop with Ctrl-C or SIGTERM");
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
