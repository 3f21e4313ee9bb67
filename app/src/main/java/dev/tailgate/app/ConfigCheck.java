package dev.tailgate.app;

import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.SecretResolver;
import dev.tailgate.gateway.policy.PolicyRuntime;
import dev.tailgate.local.LocalServer;
import dev.tailgate.wire.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Both configs of a home checked with the services' own loaders before {@code up} starts anything: a bad gateway.yaml
 * must not leave a qwen-local running (nor the other way round). The services load them again when they start.
 */
final class ConfigCheck {
    private ConfigCheck() {}

    /** Throws a {@link UserError} naming the file, line and key of the first problem. */
    static void validateBoth(Path localYaml, Path gatewayYaml) {
        try {
            if (Files.exists(localYaml)) new dev.tailgate.local.config.ConfigLoader(LocalServer.ENGINES).load(localYaml);
            GatewayConfig gateway = new ConfigLoader(new SecretResolver(System.getenv())).load(gatewayYaml);
            PolicyRuntime.settings(gateway); // the routing-policy keys (health, pricing, budgets...)
        } catch (ConfigException e) {
            throw new UserError("nothing started: " + e.getMessage());
        }
    }
}
