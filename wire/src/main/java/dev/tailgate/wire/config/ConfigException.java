package dev.tailgate.wire.config;

/**
 * A config file a service refuses (gateway.yaml, clients.yaml, local.yaml). The message names the file, the line and
 * the key, never a secret value.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
