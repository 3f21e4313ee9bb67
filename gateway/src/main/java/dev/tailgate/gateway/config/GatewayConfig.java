package dev.tailgate.gateway.config;

import dev.tailgate.wire.config.YamlDocument;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A validated, secret-resolved gateway config. Immutable; a reload builds a new one. {@code document} (the main file)
 * and {@code clientsDocument} (the clients file, null without one) are the files as the loader parsed them, with the
 * line of every key and secret <em>references</em> such as {@code env:NAME}, never resolved values: the routing
 * policy ({@code policy.PolicySettings}) reads its keys (listed in {@link ConfigKeys}) from them, so its errors name
 * file, line and key and no file is read twice; treat them as read-only. {@code clientTimeout}: how
 * long a client has to send a request's headers and body (slow clients must not hold a connection forever).
 * {@code corsOrigins}: browser origins ({@code https://app.example}) allowed to call the gateway; empty = CORS off.
 * {@code bodyBudget}: the bytes of request bodies all requests together may hold in memory at once.
 */
public record GatewayConfig(Path source, Path clientsFile, String host, int port, long maxBody, long bodyBudget, java.time.Duration clientTimeout,
                            boolean logPrompts,
                            Map<String, ProviderConfig> providers, Map<String, ModelRoute> models,
                            Map<String, ClientConfig> clients, List<String> warnings,
                            YamlDocument document, YamlDocument clientsDocument,
                            List<String> corsOrigins) {

    /**
     * This config with other providers, in the given map's order (the launcher points the local provider at the port
     * qwen-local got). The models' targets follow the new providers' {@code local} flags.
     */
    public GatewayConfig withProviders(Map<String, ProviderConfig> newProviders) {
        Map<String, ProviderConfig> p = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(newProviders));
        Map<String, ModelRoute> m = new java.util.LinkedHashMap<>();
        models.forEach((alias, route) -> m.put(alias, route.withLocalFlags(p)));
        return new GatewayConfig(source, clientsFile, host, port, maxBody, bodyBudget, clientTimeout, logPrompts,
                p, java.util.Collections.unmodifiableMap(m), clients, warnings, document, clientsDocument, corsOrigins);
    }
}
