package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real gateway on the default config `up` writes, with keys made by `tailgate keys`: the two sides agree on the
 * clients file format and on how a key is hashed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayWithCliKeysTest {
    @TempDir
    Path home;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    int get(int port, String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void defaultConfigLoadsAndCliKeysAuthenticate() throws Exception {
        DefaultConfigs.writeMissing(home);
        CliRun created = CliRun.of("keys", "create", "laptop", "--home", home.toString(), "-q");
        assertThat(created.code()).as(created.toString()).isZero();
        String key = created.out().strip();

        Services.Started gw = Services.REAL.startGateway(home.resolve("gateway.yaml"), "127.0.0.1", 0, java.util.function.UnaryOperator.identity());
        try {
            assertThat(get(gw.port(), "/v1/models", key)).isEqualTo(200);
            assertThat(get(gw.port(), "/v1/models", key + "x")).isEqualTo(401);
            assertThat(get(gw.port(), "/v1/models", null)).isEqualTo(401);

            // A key created while the gateway runs works once the gateway has re-read the clients file.
            String later = CliRun.of("keys", "create", "later", "--home", home.toString(), "-q").out().strip();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int status;
            do {
                status = get(gw.port(), "/v1/models", later);
                if (status != 200) Thread.sleep(100); // polling the gateway's own reload, bounded by the deadline
            } while (status != 200 && System.nanoTime() < deadline);
            assertThat(status).isEqualTo(200);

            // and `status` renders the real gateway's /status: a summary without an admin key, tables with one
            CliRun summary = CliRun.of("status", "--url", "http://127.0.0.1:" + gw.port(), "--local-url", "http://127.0.0.1:1",
                    "--key", key);
            assertThat(summary.code()).as(summary.toString()).isZero();
            assertThat(summary.out()).contains("details need an admin key").doesNotContainPattern("(?m)^qwen +local/");
            String admin = CliRun.of("keys", "create", "ops", "--admin", "--home", home.toString(), "-q").out().strip();
            assertThat(Files.readString(home.resolve("clients.yaml"))).containsPattern("ops: \\{.*admin: true");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            do {
                status = get(gw.port(), "/admin/policy", admin);
                if (status != 200) Thread.sleep(100); // polling the gateway's own reload, bounded by the deadline
            } while (status != 200 && System.nanoTime() < deadline);
            assertThat(status).isEqualTo(200);
            assertThat(get(gw.port(), "/admin/policy", key)).as("a key without admin: true").isEqualTo(403);
            CliRun st = CliRun.of("status", "--url", "http://127.0.0.1:" + gw.port(), "--local-url", "http://127.0.0.1:1",
                    "--key", admin);
            assertThat(st.code()).as(st.toString()).isZero();
            assertThat(st.out()).containsPattern("(?m)^local +yes +\\w+ +0 +0")
                    .containsPattern("(?m)^qwen +local/" + java.util.regex.Pattern.quote(DefaultConfigs.ChatModel.detect().id()));
        } finally {
            gw.handle().close();
        }
    }

    @Test
    void aBrokenGatewayConfigIsOneLineNamingTheKey() throws Exception {
        DefaultConfigs.writeMissing(home);
        Files.writeString(home.resolve("clients.yaml"), DefaultConfigs.clientsYaml());
        Files.writeString(home.resolve("gateway.yaml"), "listen: 127.0.0.1:0\nproviders:\n  local:\n    bse_url: http://x\n");
        CliRun r = CliRun.of("gateway", "--config", home.resolve("gateway.yaml").toString());
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err().lines().findFirst().orElseThrow()).startsWith("tailgate: the gateway did not start").contains("bse_url");
    }
}
