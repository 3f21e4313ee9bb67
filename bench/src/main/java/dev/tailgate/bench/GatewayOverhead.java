package dev.tailgate.bench;

import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Load harness: the same requests sent straight to the fake upstream and through the gateway, in alternating rounds
 * within one run, reporting p50/p99 latency and process CPU per request and the gateway/direct ratios. The fake
 * upstream, the gateway and the load client share one JVM, so "CPU per request" includes all three; the difference
 * between the two modes is what the gateway adds.
 *
 * <p>Args: {@code --requests N} per round and mode (default 2000), {@code --rounds R} (default 3),
 * {@code --concurrency C} (default 8), {@code --stream} (SSE instead of non-stream JSON).
 */
public final class GatewayOverhead {
    private record Mode(String name, String url, String model, String key) {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.tailgate.access", "warn");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int requests = intArg(args, "--requests", 2000);
        int rounds = intArg(args, "--rounds", 3);
        int concurrency = intArg(args, "--concurrency", 8);
        boolean stream = Arrays.asList(args).contains("--stream");

        try (FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            Path dir = Files.createTempDirectory("tg-bench");
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, """
                    listen: 127.0.0.1:0
                    providers:
                      fake:
                        base_url: %s
                        api_key: env:BENCH_PROVIDER_KEY
                        local: true
                        max_concurrency: 256
                        max_queue: 1024
                    models:
                      qwen:
                        targets: [fake/echo]
                    clients:
                      bench:
                        key: env:BENCH_CLIENT_KEY
                    """.formatted(upstream.baseUrl()));
            try (GatewayServer gw = GatewayServer.start(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0)
                    .env(Map.of("BENCH_PROVIDER_KEY", "sk-bench", "BENCH_CLIENT_KEY", "tg-bench")))) {
                Mode direct = new Mode("direct", upstream.baseUrl() + "/chat/completions", "echo", "sk-bench");
                Mode gateway = new Mode("gateway", "http://127.0.0.1:" + gw.port() + "/v1/chat/completions", "qwen", "tg-bench");
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

                System.out.printf(Locale.ROOT, "warm-up (%s, concurrency %d)...%n", stream ? "stream" : "non-stream", concurrency);
                run(client, direct, Math.max(500, requests / 2), concurrency, stream);
                run(client, gateway, Math.max(500, requests / 2), concurrency, stream);

                List<long[]> dLat = new ArrayList<>(), gLat = new ArrayList<>();
                long dCpu = 0, gCpu = 0;
                for (int r = 0; r < rounds; r++) {
                    Result d = run(client, direct, requests, concurrency, stream);
                    Result g = run(client, gateway, requests, concurrency, stream);
                    dLat.add(d.latenciesNanos);
                    gLat.add(g.latenciesNanos);
                    dCpu += d.cpuNanos;
                    gCpu += g.cpuNanos;
                }
                long[] dAll = merge(dLat), gAll = merge(gLat);
                double dP50 = pct(dAll, 50), dP99 = pct(dAll, 99), gP50 = pct(gAll, 50), gP99 = pct(gAll, 99);
                double dCpuReq = dCpu / (double) dAll.length / 1000, gCpuReq = gCpu / (double) gAll.length / 1000;
                System.out.printf(Locale.ROOT, "%n%-8s %10s %10s %14s%n", "mode", "p50 (us)", "p99 (us)", "CPU/req (us)");
                System.out.printf(Locale.ROOT, "%-8s %10.0f %10.0f %14.0f%n", "direct", dP50 / 1000, dP99 / 1000, dCpuReq);
                System.out.printf(Locale.ROOT, "%-8s %10.0f %10.0f %14.0f%n", "gateway", gP50 / 1000, gP99 / 1000, gCpuReq);
                System.out.printf(Locale.ROOT, "%-8s %10.2f %10.2f %14.2f%n", "ratio", gP50 / dP50, gP99 / dP99, gCpuReq / dCpuReq);
                System.out.printf(Locale.ROOT, "added by the gateway: p50 +%.0f us, p99 +%.0f us, CPU +%.0f us/request (%d requests per mode, %s, concurrency %d, %d cores)%n",
                        (gP50 - dP50) / 1000, (gP99 - dP99) / 1000, gCpuReq - dCpuReq, dAll.length, stream ? "stream" : "non-stream",
                        concurrency, Runtime.getRuntime().availableProcessors());
            }
        }
    }

    private record Result(long[] latenciesNanos, long cpuNanos) {}

    private static Result run(HttpClient client, Mode mode, int n, int concurrency, boolean stream) throws Exception {
        String body = "{\"model\":\"" + mode.model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"the quick brown fox jumps over the lazy dog\"}]}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(mode.url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + mode.key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long[] lat = new long[n];
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        try (var pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<?>> fs = new ArrayList<>();
            int per = n / concurrency;
            for (int w = 0; w < concurrency; w++) {
                int from = w * per, to = w == concurrency - 1 ? n : from + per;
                fs.add(pool.submit(() -> {
                    for (int i = from; i < to; i++) {
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                        lat[i] = System.nanoTime() - t0;
                        if (r.statusCode() != 200 || (stream && !r.body().contains("[DONE]"))) {
                            throw new IllegalStateException(mode.name + " answered " + r.statusCode() + ": " + r.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        }
        return new Result(lat, os.getProcessCpuTime() - cpu0);
    }

    private static long[] merge(List<long[]> parts) {
        return parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return dflt;
    }
}
