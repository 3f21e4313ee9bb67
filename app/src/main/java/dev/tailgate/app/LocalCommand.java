package dev.tailgate.app;

import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code tailgate local --config FILE}: qwen-local alone, until SIGTERM. */
@Command(name = "local", description = "Run qwen-local (the local model service) alone until stopped.",
        mixinStandardHelpOptions = true)
public final class LocalCommand extends SingleServiceCommand {

    public LocalCommand() {
        this(Services.REAL, RunUntilStopped.shutdownHook());
    }

    LocalCommand(Services services, RunUntilStopped waiter) {
        super(services, waiter);
    }

    @Override
    String serviceName() {
        return "qwen-local";
    }

    @Override
    Services.Started start(Path configFile) {
        return services.startLocal(configFile, host, port);
    }
}
