package dev.tailgate.gateway.config;

/** A config file the gateway refuses. The message names the file, the line and the key, never a secret value. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
