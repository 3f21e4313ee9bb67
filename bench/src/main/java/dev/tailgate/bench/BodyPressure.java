package dev.tailgate.bench;

import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory and /health under body pressure (issue 9 point 6), against the gateway started <em>as the launcher starts
 * it</em> ({@code ./tailgate gateway}, so with the launcher's JVM flags) in front of the scripted fake upstream, all on
 * 127.0.0.1. Three attacks, each on a freshly started gateway so its peak RSS ({@code VmHWM}) is the attack's own:
 * 16 concurrent 9 MB bodies, 200 concurrent 9 MB bodies, 5 concurrent bodies of 300,000 messages. During each, /health
 * is asked every 100 ms and the slowest answer is reported. Bounded: every request has a 120 s timeout.
 *
 * <p>Args: {@code --launcher PATH} (default {@code ./tailgate}), {@code --port P} (default 18201).
 */
public final class BodyPressure {
    private record Attack(String name, int concurrency, byte[] body) {}

    private record Outcome(long peakRssKb, long maxHealthMs, Map<Integer, Integer> statuses) {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        String launcher = arg(args, "--launcher", "./tailgate");
        int port = Integer.parseInt(arg(args, "--port", "18201"));
        byte[] nineMb = chat("x".repeat(9 * 1024 * 1024));
        StringBuilder many = new StringBuilder("{\"model\":\"qwen\",\"messages\":[");
        for (int i = 0; i < 300_000; i++) many.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"a\"}");
        byte[] manyItems = many.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        List<Attack> attacks = List.of(new Attack("16 x 9 MB", 16, nineMb), new Attack("200 x 9 MB", 200, nineMb),
                new Attack("5 x 3e5-item JSON (" + manyItems.length / 1024 + " KiB)", 5, manyItems));
        try (FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            // a short answer: the attack is on the request side, an echoed 9 MB answer would measure the response path
            upstream.behaviour("sink", ex -> ex.json(200, ex.completion("ok")));
            for (Attack a : attacks) {
                Outcome o = attack(launcher, port, upstream, a);
                System.out.printf(Locale.ROOT, "%-32s peak RSS (VmHWM) %5d MB   slowest /health %5d ms   statuses %s%n",
                        a.name(), o.peakRssKb() / 1024, o.maxHealthMs(), o.statuses());
            }
        }
    }

    private static byte[] chat(String content) {
        return ("{\"model\":\"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static Outcome attack(String launcher, int port, FakeOpenAiUpstream upstream, Attack a) throws Exception {
        Path home = Files.createTempDirectory("tg-pressure");
        Path cfg = home.resolve("gateway.yaml");
        Files.writeString(cfg, """
                listen: 127.0.0.1:%d
                ledger: off
                audit_log: off
                providers:
                  fake:
                    base_url: %s
                    api_key: env:BENCH_PROVIDER_KEY
                models:
                  qwen: {targets: [fake/sink]}
                clients:
                  bench: {key: env:BENCH_CLIENT_KEY}
                """.formatted(port, upstream.baseUrl()));
        ProcessBuilder pb = new ProcessBuilder(launcher, "gateway", "--config", cfg.toString())
                .redirectErrorStream(true).redirectOutput(home.resolve("gateway.log").toFile());
        pb.environment().put("TAILGATE_HOME", home.toString());
        pb.environment().put("BENCH_PROVIDER_KEY", "sk-bench-provider");
        pb.environment().put("BENCH_CLIENT_KEY", "tg-bench");
        Process gw = pb.start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        // its own client: sharing the attackers' client (one selector thread busy writing their bodies) added the
        // client's own congestion to the /health figure
        HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        try {
            awaitHealthy(http, health, gw);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong maxHealth = new AtomicLong();
            Thread prober = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    long t0 = System.nanoTime();
                    try {
                        probe.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
                    } catch (IOException | InterruptedException e) {
                        // counted as slow: the time until it failed
                    }
                    maxHealth.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    sleep(100);
                }
            });
            List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
            for (int i = 0; i < a.concurrency(); i++) {
                calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer tg-bench")
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(a.body())).build(),
                        HttpResponse.BodyHandlers.discarding()));
            }
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (var c : calls) {
                int s;
                try {
                    s = c.get(130, TimeUnit.SECONDS).statusCode();
                } catch (Exception e) {
                    s = -1; // connection closed or timed out
                }
                statuses.merge(s, 1, Integer::sum);
            }
            running.set(false);
            prober.join(40_000);
            return new Outcome(peakRssKb(gw.pid()), maxHealth.get(), statuses);
        } finally {
            gw.destroy();
            if (!gw.waitFor(20, TimeUnit.SECONDS)) gw.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitHealthy(HttpClient http, URI health, Process gw) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120); // the first start may build the jar
        while (System.nanoTime() < deadline) {
            if (!gw.isAlive()) throw new IllegalStateException("the gateway exited with " + gw.exitValue());
            try {
                if (http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            sleep(200);
        }
        throw new IllegalStateException("the gateway did not become healthy within 120 s");
    }

    /** The process's peak resident set (VmHWM, kB) from /proc (Linux). */
    private static long peakRssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return -1;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms); // pacing of the /health probe, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String arg(String[] args, String name, String def) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return args[i + 1];
        return def;
    }
}
