package dev.tailgate.gateway.responses;

import dev.tailgate.gateway.GatewayServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real gateway on 127.0.0.1 (ephemeral port) from a YAML config written to a temp file, with one client key.
 * Public for the other API bridges' tests ({@code messages}).
 */
public final class TestGateway implements AutoCloseable {
    public static final String KEY = "tg-test-key-0123456789";
    private final GatewayServer server;
    private final Path dir;

    private TestGateway(String yaml) {
        try {
            dir = Files.createTempDirectory("tg-resp-");
            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, yaml);
            server = GatewayServer.start(GatewayServer.Options.of(config).listen("127.0.0.1", 0)
                    .env(Map.of("TG_TEST_KEY", KEY)).shutdownGrace(Duration.ofSeconds(2)).activeProbes(false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Model {@code qwen} served by one chat-only provider at {@code upstreamBaseUrl}. */
    public static TestGateway chatUpstream(String upstreamBaseUrl) {
        return withProviders("""
                providers:
                  scripted:
                    base_url: %s
                    timeout: 30s
                models:
                  qwen:
                    targets: [scripted/scripted-model]
                """.formatted(upstreamBaseUrl));
    }

    /** A config with the given {@code providers:} and {@code models:} sections; the client key may use every model. */
    public static TestGateway withProviders(String providersAndModels) {
        return new TestGateway("""
                listen: 127.0.0.1:0
                %s
                clients:
                  tester:
                    key: env:TG_TEST_KEY
                    models: ["*"]
                """.formatted(providersAndModels));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    /** The folder of the config file, where the gateway keeps its usage ledger ({@code usage.db}) and {@code audit.jsonl}. */
    public Path dir() {
        return dir;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir cleanup only
        }
    }
}
