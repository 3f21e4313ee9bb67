package dev.tailgate.gateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A validated, secret-resolved gateway config. Immutable; a reload builds a new one. */
public record GatewayConfig(Path source, Path clientsFile, String host, int port, long maxBody, boolean logPrompts,
                            Map<String, ProviderConfig> providers, Map<String, ModelRoute> models,
                            Map<String, ClientConfig> clients, List<String> warnings) {}
