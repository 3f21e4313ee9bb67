package dev.tailgate.local.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole qwen-local configuration, validated. Models keep the order of the file. {@code logsDir} holds one log per
 * engine worker process (native output goes there). {@code apiKeySha256}: SHA-256 (lowercase hex) of the internal key
 * every request but {@code /health} must carry as {@code Authorization: Bearer}; null = open (a standalone service).
 */
public record LocalConfig(
        String host,
        int port,
        Path modelsDir,
        Path logsDir,
        long memoryBudgetBytes,
        long maxRequestBytes,
        Duration shutdownGrace,
        List<ModelConfig> models,
        String apiKeySha256) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8081;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 16L * 1024 * 1024;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    public LocalConfig {
        models = List.copyOf(models);
    }

    public LocalConfig withListen(String newHost, Integer newPort) {
        return new LocalConfig(newHost != null ? newHost : host, newPort != null ? newPort : port, modelsDir, logsDir,
                memoryBudgetBytes, maxRequestBytes, shutdownGrace, models, apiKeySha256);
    }
}
