package dev.tailgate.app;

/**
 * Defaults for slf4j-simple when the launcher runs the services: timestamps and short logger names, on stderr.
 * Set as system properties only when the user has not set them (so {@code -Dorg.slf4j.simpleLogger...} wins).
 */
final class Logging {
    private Logging() {}

    static void configureDefaults() {
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        // Vert.x and Netty are chatty at info about internals the user cannot act on.
        setIfAbsent("org.slf4j.simpleLogger.log.io.netty", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.vertx", "warn");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
