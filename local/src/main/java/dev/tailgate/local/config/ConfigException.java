package dev.tailgate.local.config;

/** The config file is unusable; the message names the file, the key and (when known) the line. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
