package dev.tailgate.gateway.statuspage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.testing.NodeClients;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page end to end in real headless Chromium ({@code clients/status-page.mjs}, playwright-core driving the
 * OS's {@code chromium}): log in (a non-admin key is refused), see provider {@code flaky} go from healthy to open when
 * its fake upstream fails, see a request appear live, filter the audit log (refused, fell back), log out. Screenshots
 * of each step are kept in {@code gateway/target/status-page-screenshots/}. Chromium is installed by {@code .ci/run};
 * without it the test fails saying how to install it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StatusPageBrowserTest {
    static final String ADMIN_KEY = "tg-browser-admin-key";
    static final String CLIENT_KEY = "tg-browser-client-key";

    @TempDir
    Path dir;

    static Path chromium() {
        String given = System.getenv("TAILGATE_CHROMIUM");
        for (String c : given != null ? new String[] {given} : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (Files.isExecutable(Path.of(c))) return Path.of(c);
        }
        throw new AssertionError("chromium is not installed: apt-get install -y chromium (or set TAILGATE_CHROMIUM)");
    }

    @Test
    void anAdminWatchesABreakerOpenARequestArriveAndFiltersTheAuditLog() throws Exception {
        Path clients = NodeClients.dir().orElseThrow();
        Assumptions.assumeTrue(NodeClients.nodeAvailable(), "node is not installed: skipping the browser run");
        Assumptions.assumeTrue(Files.isDirectory(clients.resolve("node_modules/playwright-core")),
                "clients/node_modules/playwright-core is missing: run `cd clients && npm ci` to enable the browser run");
        Path browser = chromium();
        Path shots = Path.of("target/status-page-screenshots").toAbsolutePath();
        Files.createDirectories(shots);
        try (var stale = Files.list(shots)) {
            for (Path p : stale.toList()) Files.delete(p);
        }
        try (FakeOpenAiUpstream flaky = FakeOpenAiUpstream.start(); FakeOpenAiUpstream spare = FakeOpenAiUpstream.start()) {
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, """
                    listen: 127.0.0.1:0
                    health: {consecutive_failures: 2, cool_down: 10m, min_calls: 1000}
                    providers:
                      flaky:
                        base_url: %s
                      spare:
                        base_url: %s
                    models:
                      good:
                        targets: [flaky/echo]
                      bad:
                        targets: [flaky/error-500]
                      backup:
                        targets: [flaky/error-500, spare/echo]
                        fallback: true
                    clients:
                      ops: {key: env:TG_ADMIN, admin: true}
                      app: {key: env:TG_APP}
                    """.formatted(flaky.baseUrl(), spare.baseUrl()));
            try (GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0)
                    .env(Map.of("TG_ADMIN", ADMIN_KEY, "TG_APP", CLIENT_KEY)).activeProbes(false)
                    .shutdownGrace(Duration.ofSeconds(2)))) {
                ProcessBuilder pb = new ProcessBuilder("node", "status-page.mjs").directory(clients.toFile()).redirectErrorStream(true);
                pb.environment().put("BASE_URL", "http://127.0.0.1:" + gw.port());
                pb.environment().put("ADMIN_KEY", ADMIN_KEY);
                pb.environment().put("CLIENT_KEY", CLIENT_KEY);
                pb.environment().put("CHROMIUM", browser.toString());
                pb.environment().put("SCREENSHOTS", shots.toString());
                Process process = pb.start();
                process.getOutputStream().close();
                String out;
                try {
                    out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertThat(process.waitFor(150, TimeUnit.SECONDS)).as(out).isTrue();
                } finally {
                    process.destroyForcibly();
                }
                assertThat(process.exitValue()).as(out).isZero();
                assertThat(out).contains("status-page: 8 passed, 0 failed");
            }
        }
        for (String shot : new String[] {"01-login", "02-healthy", "03-request", "04-open", "05-audit-refused", "06-audit-fellback"}) {
            Path png = shots.resolve(shot + ".png");
            assertThat(png).exists();
            byte[] head = Files.readAllBytes(png);
            assertThat(head.length).as(shot).isGreaterThan(1000);
            assertThat(new String(head, 1, 3, StandardCharsets.US_ASCII)).as(shot + " is a PNG").isEqualTo("PNG");
        }
    }
}
