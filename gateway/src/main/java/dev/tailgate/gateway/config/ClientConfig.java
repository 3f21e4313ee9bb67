package dev.tailgate.gateway.config;

import java.util.List;

/**
 * A client key holder. Only the SHA-256 of the key is kept; {@code keySha256} is null when the key could not be
 * resolved ({@code keyProblem} says why) — such a client can never authenticate. {@code admin}: the key may also read
 * {@code /admin/*}, the details of {@code /status} and the status page.
 */
public record ClientConfig(String name, byte[] keySha256, String keyProblem, boolean privateOnly, List<String> models,
                           boolean admin) {}
