package dev.tailgate.app;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.local.LocalServer;
import java.net.BindException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.local.store.Downloads;

/**
 * Starts the two services. An interface so the CLI's start/stop logic can be tested without real servers;
 * {@link #REAL} is what the launcher uses.
 */
public interface Services {
    /**
     * A running service: its name for messages, the bound port, how to stop it, and (qwen-local only) the registry its
     * {@code /status} reads background downloads from.
     */
    record Started(String name, int port, AutoCloseable handle, Downloads downloads) {
        Started(String name, int port, AutoCloseable handle) {
            this(name, port, handle, null);
        }
    }

    /** Thrown when this build does not contain a working service yet (the entry point is a stub). */
    final class NotAvailable extends RuntimeException {
        public NotAvailable(String service) {
            super(service + " is not available in this build yet", null, false, false);
        }
    }

    /** {@code adjust}: applied to the config after every load (see {@link GatewayServer.Options#adjust}). */
    Started startGateway(Path config, String host, Integer port, UnaryOperator<GatewayConfig> adjust);

    Started startLocal(Path config, String host, Integer port);

    Services REAL = new Services() {
        @Override
        public Started startGateway(Path config, String host, Integer port, UnaryOperator<GatewayConfig> adjust) {
            try {
                GatewayServer s = GatewayServer.start(GatewayServer.Options.of(config).listen(host, port).adjust(adjust));
                return new Started("gateway", s.port(), s);
            } catch (UnsupportedOperationException e) {
                throw new NotAvailable("the gateway");
            } catch (RuntimeException e) {
                throw startFailure("the gateway", config, e);
            }
        }

        @Override
        public Started startLocal(Path config, String host, Integer port) {
            try {
                LocalServer s = LocalServer.start(config, host, port);
                return new Started("qwen-local", s.port(), s, s.downloads());
            } catch (UnsupportedOperationException e) {
                throw new NotAvailable("qwen-local");
            } catch (RuntimeException e) {
                throw startFailure("qwen-local", config, e);
            }
        }
    };

    /** One line a user can act on; the cause stays attached for {@code --verbose}. */
    static RuntimeException startFailure(String service, Path config, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                String home = HomeFlag.of(config.toAbsolutePath().getParent()); // the configs live in the home
                return new StartFailed(service + " cannot listen: " + t.getMessage()
                        + " (another program, or another tailgate, uses the port: run tailgate up" + home + " --port N --local-port M"
                        + " with free ports, or change listen: in " + config + "; see tailgate status" + home + ")", e);
            }
        }
        return new StartFailed(service + " did not start (" + config + "): " + Main.describe(e), e);
    }

    /** A start failure with a user-facing message and the cause kept for --verbose. */
    final class StartFailed extends RuntimeException {
        public StartFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
