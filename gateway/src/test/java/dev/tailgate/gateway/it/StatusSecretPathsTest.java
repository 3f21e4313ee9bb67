package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider whose {@code api_key: file:...} cannot be read is reported in {@code /status} (admins only) without the
 * secret file's absolute path: relative to the config's folder when inside it, else only the file name.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatusSecretPathsTest {
    @TempDir
    Path home;
    @TempDir
    Path elsewhere;

    @Test
    void lastErrorNamesSecretFilesWithoutTheirAbsolutePath() throws Exception {
        Path outside = elsewhere.resolve("vault/deep/provider.key");
        Files.writeString(home.resolve("gateway.yaml"), """
                listen: 127.0.0.1:0
                providers:
                  inside:
                    base_url: http://127.0.0.1:9/v1
                    api_key: file:secrets/inside.key
                  outside:
                    base_url: http://127.0.0.1:9/v1
                    api_key: file:%s
                models:
                  m:
                    targets: [inside/a, outside/b]
                clients:
                  admin: {key: env:TG_ADMIN, admin: true}
                """.formatted(outside));
        try (GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(home.resolve("gateway.yaml")).listen("127.0.0.1", 0)
                .env(Map.of("TG_ADMIN", "tg-admin-key")).activeProbes(false).shutdownGrace(Duration.ofSeconds(1)))) {
            HttpClient http = HttpClient.newHttpClient();
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/status"))
                    .header("Authorization", "Bearer tg-admin-key").build(), HttpResponse.BodyHandlers.ofString()).body();
            JsonNode providers = Json.parse(body).path("providers");
            String inside = null, out = null;
            for (JsonNode p : providers) {
                if (p.path("name").asText().equals("inside")) inside = p.path("last_error").asText();
                if (p.path("name").asText().equals("outside")) out = p.path("last_error").asText();
            }
            assertThat(inside).contains("secrets/inside.key");
            assertThat(out).contains("provider.key").doesNotContain("vault");
            assertThat(body).doesNotContain(home.toString()).doesNotContain(elsewhere.toString());
        }
    }
}
