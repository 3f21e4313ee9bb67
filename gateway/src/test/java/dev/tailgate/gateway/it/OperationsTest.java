package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OperationsTest {

    @Test
    void secretsNeverReachLogsErrorBodiesStatusOrMetrics() throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> bodies = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try (Harness h = Harness.start()) {
            System.setErr(new PrintStream(new TeeStream(captured, originalErr), true, StandardCharsets.UTF_8));
            for (String model : List.of("rejected", "flaky", "flaky-strict", "limited", "bad-request", "cut", "qwen", "external-only", "nope")) {
                for (boolean stream : new boolean[] {false, true}) {
                    String id = "sec-" + model + "-" + stream;
                    ids.add(id);
                    HttpResponse<String> r = h.send(h.request("/v1/chat/completions").header("Content-Type", "application/json")
                            .header("X-Request-Id", id).POST(HttpRequest.BodyPublishers.ofString(Harness.chat(model, stream, "hi"))).build());
                    bodies.add(r.body());
                }
            }
            bodies.add(h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + "/v1/models"))
                    .header("Authorization", "Bearer wrong-" + Harness.CLIENT_KEY).GET().build()).body());
            bodies.add(h.get("/status").body());
            bodies.add(h.get("/metrics").body());
            h.gateway.reload();
        } finally {
            System.setErr(originalErr);
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("tailgate.access");
        String all = logs + String.join("\n", bodies);
        for (String secret : List.of(Harness.PROVIDER_KEY, Harness.BACKUP_KEY, Harness.CLIENT_KEY, Harness.PRIVATE_KEY, Harness.LIMITED_KEY,
                "SECRET-0123456789", HexFormat.of().formatHex(dev.tailgate.gateway.config.ConfigLoader.sha256(Harness.CLIENT_KEY)))) {
            assertThat(all).as("secret leaked").doesNotContain(secret);
        }
        assertThat(logs).doesNotContain("hi\"}").as("no prompt text in logs");
        // exactly one access-log line per request
        for (String id : ids) {
            long lines = logs.lines().filter(l -> l.contains("tailgate.access") && l.contains("rid=" + id + " ")).count();
            assertThat(lines).as("access log lines for " + id).isEqualTo(1);
        }
    }

    @Test
    void configReloadsOnFileChangeAndABadFileKeepsTheRunningConfig() throws Exception {
        try (Harness h = Harness.start()) {
            Path cfg = h.dir.resolve("gateway.yaml");
            String original = Files.readString(cfg);
            assertThat(h.post("/v1/chat/completions", Harness.chat("added", false, "x")).statusCode()).isEqualTo(404);

            Files.writeString(cfg, original.replace("models:\n", "models:\n  added:\n    targets: [fake/echo]\n"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int status;
            do {
                status = h.post("/v1/chat/completions", Harness.chat("added", false, "x")).statusCode();
                if (status == 200) break;
                Thread.sleep(100); // the watcher polls the file every 2s; poll the outcome, bounded by the deadline
            } while (System.nanoTime() < deadline);
            assertThat(status).as("the file watcher picked up the new model").isEqualTo(200);

            Files.writeString(cfg, original.replace("models:\n", "models:\n  broken:\n    targets: [nowhere/x]\n"));
            assertThat(h.gateway.reload()).isFalse();
            assertThat(h.post("/v1/chat/completions", Harness.chat("added", false, "x")).statusCode()).isEqualTo(200);

            // a clients.yaml appearing beside the config (what `keys create` writes) adds a key
            String hash = HexFormat.of().formatHex(dev.tailgate.gateway.config.ConfigLoader.sha256("new-key-from-cli"));
            Files.writeString(cfg, original);
            Files.writeString(h.dir.resolve("clients.yaml"), "clients:\n  cli:\n    key_sha256: " + hash + "\n");
            assertThat(h.gateway.reload()).isTrue();
            HttpResponse<String> r = h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + "/v1/models"))
                    .header("Authorization", "Bearer new-key-from-cli").GET().build());
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void sighupReloads() throws Exception {
        try (Harness h = Harness.start()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(h.gateway.reloadsOnSighup(), "SIGHUP handling not available here");
            Path cfg = h.dir.resolve("gateway.yaml");
            String original = Files.readString(cfg);
            // same size and same mtime: the 2 s file poll cannot notice this change, only the signal can
            var mtime = Files.getLastModifiedTime(cfg);
            String changed = original.replace("  qwen-cr:\n", "  via-hup:\n");
            assertThat(changed).hasSameSizeAs(original).isNotEqualTo(original);
            Files.writeString(cfg, changed);
            Files.setLastModifiedTime(cfg, mtime);
            sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int status;
            do {
                status = h.post("/v1/chat/completions", Harness.chat("via-hup", false, "x")).statusCode();
                if (status == 200) break;
                Thread.sleep(20); // the signal is handled on its own thread; poll the outcome, bounded
            } while (System.nanoTime() < deadline);
            assertThat(status).isEqualTo(200);
            assertThat(h.gateway.lastReload()).isEqualTo("SIGHUP");
        }
    }

    @Test
    void shutdownDrainsInFlightStreamsAndHealthTurns503() throws Exception {
        Harness h = Harness.start();
        try {
            var inFlight = h.http.sendAsync(h.request("/v1/chat/completions").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("gated", true, "x"))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(h.upstream.awaitRequests(1, Duration.ofSeconds(10))).isTrue();
            Thread closer = Thread.ofPlatform().start(h.gateway::close);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int health;
            do {
                health = h.send(HttpRequest.newBuilder(java.net.URI.create(h.base() + "/health")).GET().build()).statusCode();
                if (health == 503) break;
                Thread.sleep(10); // waiting for close() to start draining, bounded
            } while (System.nanoTime() < deadline);
            assertThat(health).isEqualTo(503);
            assertThat(h.post("/v1/chat/completions", Harness.chat("qwen", false, "x")).statusCode()).isEqualTo(503);
            h.upstream.gate("gated-stream").complete(null);
            HttpResponse<String> r = inFlight.get(20, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("[DONE]");
            closer.join(Duration.ofSeconds(20));
            assertThat(closer.isAlive()).isFalse();
        } finally {
            h.close();
        }
    }

    /** Copies everything written to two streams. */
    static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a, b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
