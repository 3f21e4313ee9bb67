package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.config.SecretResolver;
import dev.tailgate.wire.config.ConfigException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** CORS over real HTTP: off by default, then on for the listed origins only (set by a config reload). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CorsTest {
    private static final String APP = "http://app.test:5173";
    private static final String OTHER = "https://evil.test";

    @Test
    void offByDefaultThenListedOriginsOnly() throws Exception {
        try (Harness h = Harness.start()) {
            HttpResponse<String> before = h.send(preflight(h, APP));
            assertThat(before.statusCode()).isNotEqualTo(204);
            assertNoCors(before);
            HttpResponse<String> plainBefore = h.send(chat(h, APP, true));
            assertThat(plainBefore.statusCode()).isEqualTo(200);
            assertNoCors(plainBefore);

            Path cfg = h.dir.resolve("gateway.yaml");
            Files.writeString(cfg, "cors_origins: [\"" + APP + "\", \"http://localhost:3000\"]\n" + Files.readString(cfg));
            assertThat(h.gateway.reload()).isTrue();

            HttpResponse<String> pre = h.send(preflight(h, APP));
            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(pre.body()).isEmpty();
            assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
            assertThat(pre.headers().firstValue("Vary")).hasValue("Origin");
            assertThat(list(pre, "Access-Control-Allow-Methods")).contains("post", "get", "options");
            assertThat(list(pre, "Access-Control-Allow-Headers")).contains("authorization", "content-type", "x-tailgate-private",
                    "x-api-key", "anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access", "x-stainless-os");
            assertThat(pre.headers().firstValue("Access-Control-Max-Age")).hasValue("600");

            HttpResponse<String> ok = h.send(chat(h, APP, true));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
            assertThat(list(ok, "Access-Control-Expose-Headers")).contains("x-request-id", "retry-after", "x-should-retry");
            // an error is readable by the app too (the SDK shows its message)
            HttpResponse<String> denied = h.send(chat(h, APP, false));
            assertThat(denied.statusCode()).isEqualTo(401);
            assertThat(denied.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);

            for (String unlisted : new String[] {OTHER, "http://app.test:5174", "http://app.test"}) {
                HttpResponse<String> otherPre = h.send(preflight(h, unlisted));
                assertThat(otherPre.statusCode()).as(unlisted).isNotEqualTo(204);
                assertNoCors(otherPre);
                HttpResponse<String> otherPost = h.send(chat(h, unlisted, true));
                assertNoCors(otherPost);
            }
        }
    }

    @Test
    void originsAreCheckedWithTheirLine(@TempDir Path dir) throws Exception {
        ConfigLoader loader = new ConfigLoader(new SecretResolver(Map.of()));
        Path wildcard = dir.resolve("a.yaml");
        Files.writeString(wildcard, "listen: 127.0.0.1:0\ncors_origins:\n  - http://localhost:3000\n  - \"*\"\n");
        assertThatThrownBy(() -> loader.load(wildcard)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("a.yaml line 4: cors_origins[1]").hasMessageContaining("no wildcard");
        Path withPath = dir.resolve("b.yaml");
        Files.writeString(withPath, "cors_origins: [https://app.example.com/chat]\n");
        assertThatThrownBy(() -> loader.load(withPath)).hasMessageContaining("cors_origins[0]").hasMessageContaining("scheme, host and port only");
        Path notList = dir.resolve("c.yaml");
        Files.writeString(notList, "cors_origins: https://app.example.com\n");
        assertThatThrownBy(() -> loader.load(notList)).hasMessageContaining("c.yaml line 1: cors_origins: must be a list");
        Path off = dir.resolve("d.yaml");
        Files.writeString(off, "listen: 127.0.0.1:0\n");
        assertThat(loader.load(off).corsOrigins()).isEmpty();
    }

    private static HttpRequest preflight(Harness h, String origin) {
        return HttpRequest.newBuilder(URI.create(h.base() + "/v1/chat/completions")).timeout(Duration.ofSeconds(20))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type,x-tailgate-private,anthropic-version,x-stainless-os")
                .build();
    }

    private static HttpRequest chat(Harness h, String origin, boolean withKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.base() + "/v1/chat/completions")).timeout(Duration.ofSeconds(20))
                .header("Origin", origin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("qwen", false, "hi")));
        if (withKey) b.header("Authorization", "Bearer " + Harness.CLIENT_KEY);
        return b.build();
    }

    private static java.util.List<String> list(HttpResponse<String> r, String header) {
        return Arrays.stream(r.headers().firstValue(header).orElse("").split(","))
                .map(s -> s.trim().toLowerCase(java.util.Locale.ROOT)).toList();
    }

    private static void assertNoCors(HttpResponse<String> r) {
        assertThat(r.headers().map().keySet()).noneMatch(k -> k.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
    }
}
