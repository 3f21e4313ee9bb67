package dev.tailgate.gateway.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import dev.tailgate.wire.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 kill -9 under load: the gateway runs in a child JVM with its SQLite usage ledger; the parent drives 8
 * concurrent clients (stream and non-stream) through it to a fake upstream, records every request whose full response
 * it received (stream: {@code [DONE]} seen; JSON: the whole completion parsed), SIGKILLs the child mid-load, then
 * opens the ledger: every completed request's {@code X-Request-Id} must have a row.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KillUnderLoadTest {
    @TempDir
    Path dir;

    @Test
    void everyCompletedRequestHasALedgerRowAfterKillDashNine() throws Exception {
        Path db = dir.resolve("usage.db");
        try (FakeOpenAiUpstream up = FakeOpenAiUpstream.start()) {
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, """
                    listen: 127.0.0.1:0
                    ledger: %s
                    audit_log: off
                    providers:
                      fake:
                        base_url: %s
                        local: true
                        max_concurrency: 64
                    models:
                      qwen: {targets: [fake/echo]}
                    clients:
                      tester: {key: env:TG_KEY}
                    """.formatted(db, up.baseUrl()));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), GatewayChild.class.getName(), cfg.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Set<String> completed = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger seq = new AtomicInteger();
            Semaphore done = new Semaphore(0);
            CountDownLatch clientsEnded = new CountDownLatch(8);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                assertThat(line).as("child gateway started").isNotNull().startsWith("port ");
                int port = Integer.parseInt(line.substring(5).trim());
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                for (int c = 0; c < 8; c++) {
                    Thread.ofPlatform().daemon().start(() -> {
                        try {
                            while (!stop.get()) {
                                int n = seq.incrementAndGet();
                                String id = "kill-" + n;
                                boolean stream = n % 2 == 0;
                                try {
                                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                                            .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + FaultGateway.CLIENT_KEY)
                                            .header("Content-Type", "application/json").header("X-Request-Id", id)
                                            .POST(HttpRequest.BodyPublishers.ofString(FaultGateway.chat("qwen", stream, "n" + n + " a b c"))).build(),
                                            HttpResponse.BodyHandlers.ofString());
                                    if (r.statusCode() == 200 && fullResponse(r.body(), stream, n)) {
                                        completed.add(id);
                                        done.release();
                                    }
                                } catch (java.io.IOException gatewayGone) {
                                    // after the kill: this request did not complete
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            clientsEnded.countDown();
                        }
                    });
                }
                assertThat(done.tryAcquire(300, 120, TimeUnit.SECONDS)).as("300 requests completed under load").isTrue();
                child.destroyForcibly(); // SIGKILL mid-load: no shutdown hook, no close, no flush
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                stop.set(true);
                assertThat(clientsEnded.await(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            Set<String> rows = new HashSet<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT request_id FROM usage")) {
                while (rs.next()) rows.add(rs.getString(1));
            }
            assertThat(completed).hasSizeGreaterThanOrEqualTo(300);
            Set<String> missing = new HashSet<>(completed);
            missing.removeAll(rows);
            assertThat(missing).as("completed requests (of %d) without a ledger row", completed.size()).isEmpty();
        }
    }

    private static boolean fullResponse(String body, boolean stream, int n) {
        if (stream) return body.contains("data: [DONE]") && body.contains("\"n" + n + " \"");
        try {
            return Json.parse(body).at("/choices/0/message/content").asText().equals("echo: n" + n + " a b c");
        } catch (RuntimeException e) {
            return false;
        }
    }
}
