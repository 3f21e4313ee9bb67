package dev.tailgate.wire;

/**
 * Defaults for slf4j-simple when the launcher runs the services (and when the benchmarks run them as the launcher
 * does): timestamps and short logger names, on stderr. Set as system properties only when the user has not set them
 * (so {@code -Dorg.slf4j.simpleLogger...} wins). Call before the first logger is created.
 */
public final class LogDefaults {
    private LogDefaults() {}

    public static void apply() {
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
