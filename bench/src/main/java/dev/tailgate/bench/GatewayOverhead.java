package dev.tailgate.bench;

import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Load harness: the same chat request sent straight to the scripted fake upstream and through a real gateway in
 * front of it, in alternating rounds within one run, for each concurrency and body kind asked for; reports p50/p99
 * latency and CPU per request, and what the gateway adds.
 *
 * <p>Why it is built this way:
 * <ul>
 *   <li>The gateway runs in <b>its own JVM</b> ({@link GatewayProcess}, the launcher's flags), and its CPU is read from
 *   {@code /proc/PID/stat}: in one shared JVM the load client's, the upstream's and everyone's JIT and GC threads were
 *   counted together and only the difference of two large, noisy totals was left.</li>
 *   <li>A <b>discarded warm-up</b> of {@code --warmup} requests (default 10,000) per mode and configuration before the
 *   measured rounds: C2 compiles the hot path only after thousands of requests, and compiler threads count as process
 *   CPU. (The earlier harness warmed up with 500.)</li>
 *   <li>The gateway logs as {@code ./tailgate gateway} does (access log at info, to a file here), with its default
 *   ledger and audit log, so the hot path measured is the one users run.</li>
 *   <li>The fake upstream's request record is cleared after every round: it is a copy-on-write list, and 50,000 kept
 *   requests made every later request copy the whole list.</li>
 * </ul>
 * "Added CPU" is everything the machine spent more in gateway rounds than in direct rounds (bench JVM + gateway
 * process, per request); "proxy process" is the gateway JVM's own share. Linux only ({@code /proc}).
 *
 * <p>Args: {@code --requests N} per round and mode (default 2000), {@code --rounds R} (default 3), {@code --warmup W}
 * (default 10000), {@code --concurrency 1,8} (a list), {@code --body json,stream} (a list; stream = SSE, ~12 events),
 * {@code --port P} for the gateway (default 19301), {@code --gateway-jvm "FLAGS"} extra flags for the gateway JVM
 * (e.g. a JFR recording), {@code --gateway-keys "ledger: off;audit_log: off"} extra top-level keys for the gateway's
 * config (to see what a part costs), {@code --bare-proxy} adds a third mode: a pass-through Vert.x proxy in its own JVM
 * ({@link BareProxyProcess}, on port P+1), the floor any HTTP hop costs here; {@code --baseline-classes PATHS} adds a
 * fourth: a second gateway (port P+2, same config, its own ledger and audit file) whose classes come from PATHS first
 * (e.g. another build's {@code gateway/target/classes:wire/target/classes}), so before and after are measured in the same
 * run, round by round, under the same machine load.
 */
public final class GatewayOverhead {
    /** A way to send the request; {@code server} is the child process serving it (null: the fake upstream itself). */
    private record Mode(String name, String url, String model, String key, Process server) {}

    /** One round of one mode: latencies, this JVM's CPU and the serving child process's CPU. */
    private record Result(long[] latenciesNanos, long benchCpuNanos, long serverCpuNanos) {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // this JVM: load client and fake upstream
        int requests = intArg(args, "--requests", 2000);
        int rounds = intArg(args, "--rounds", 3);
        int warmup = intArg(args, "--warmup", 10_000);
        int port = intArg(args, "--port", 19301);
        List<Integer> concurrencies = Arrays.stream(arg(args, "--concurrency", "1,8").split(",")).map(Integer::parseInt).toList();
        List<String> bodies = List.of(arg(args, "--body", "json,stream").split(","));
        String gatewayJvm = arg(args, "--gateway-jvm", "");
        boolean bareProxy = Arrays.asList(args).contains("--bare-proxy");
        String baselineClasses = arg(args, "--baseline-classes", "");
        String extraKeys = String.join("\n", arg(args, "--gateway-keys", "").split(";")).strip();

        try (FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            Path dir = Files.createTempDirectory("tg-bench");
            Path cfg = dir.resolve("gateway.yaml");
            Files.writeString(cfg, """
                    listen: 127.0.0.1:%d
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
                    %s
                    """.formatted(port, upstream.baseUrl(), extraKeys));
            String classpath = System.getProperty("java.class.path");
            Process gw = start(classpath, List.of(GatewayProcess.class.getName(), cfg.toString()), dir.resolve("gateway.log"), gatewayJvm);
            Process bare = bareProxy ? start(classpath, List.of(BareProxyProcess.class.getName(), upstream.baseUrl(), Integer.toString(port + 1)),
                    dir.resolve("bare-proxy.log"), "") : null;
            Path baseCfg = dir.resolve("baseline.yaml");
            // its own ledger and audit file (two writers on one SQLite file would contend), unless --gateway-keys set them
            Files.writeString(baseCfg, Files.readString(cfg).replace("listen: 127.0.0.1:" + port, "listen: 127.0.0.1:" + (port + 2))
                    + (extraKeys.contains("ledger:") ? "" : "ledger: baseline-usage.db\n")
                    + (extraKeys.contains("audit_log:") ? "" : "audit_log: baseline-audit.jsonl\n"));
            // the baseline's classes come first, so they shadow this build's gateway (GatewayProcess is found in ours)
            Process base = baselineClasses.isBlank() ? null : start(baselineClasses + java.io.File.pathSeparator + classpath,
                    List.of(GatewayProcess.class.getName(), baseCfg.toString()), dir.resolve("baseline.log"), gatewayJvm);
            try {
                Mode direct = new Mode("direct", upstream.baseUrl() + "/chat/completions", "echo", "sk-bench", null);
                Mode gateway = new Mode("gateway", "http://127.0.0.1:" + port + "/v1/chat/completions", "qwen", "tg-bench", gw);
                Mode proxy = bare == null ? null : new Mode("bare proxy", "http://127.0.0.1:" + (port + 1) + "/v1/chat/completions", "echo", "-", bare);
                Mode baseline = base == null ? null : new Mode("baseline gateway", "http://127.0.0.1:" + (port + 2) + "/v1/chat/completions", "qwen", "tg-bench", base);
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                System.out.printf(Locale.ROOT, "load average at start: %s; gateway pid %d, log %s%n", loadAverage(), gw.pid(), dir.resolve("gateway.log"));
                List<String> rows = new ArrayList<>();
                for (String body : bodies) {
                    boolean stream = body.equals("stream");
                    for (int c : concurrencies) {
                        System.out.printf(Locale.ROOT, "%s, concurrency %d: warm-up %d requests per mode...%n", body, c, warmup);
                        run(client, direct, warmup, c, stream, upstream);
                        run(client, gateway, warmup, c, stream, upstream);
                        if (proxy != null) run(client, proxy, warmup, c, stream, upstream);
                        if (baseline != null) run(client, baseline, warmup, c, stream, upstream);
                        List<Result> d = new ArrayList<>(), g = new ArrayList<>(), b = new ArrayList<>(), base0 = new ArrayList<>();
                        for (int r = 0; r < rounds; r++) {
                            d.add(run(client, direct, requests, c, stream, upstream));
                            g.add(run(client, gateway, requests, c, stream, upstream));
                            if (proxy != null) b.add(run(client, proxy, requests, c, stream, upstream));
                            if (baseline != null) base0.add(run(client, baseline, requests, c, stream, upstream));
                        }
                        String name = (stream ? "stream (~12 events)" : "non-stream") + ", c=" + c;
                        rows.add(row(name, d, g));
                        System.out.println(rows.getLast());
                        if (proxy != null) {
                            rows.add(row(name + ", bare Vert.x proxy", d, b));
                            System.out.println(rows.getLast());
                        }
                        if (baseline != null) {
                            rows.add(row(name + ", baseline gateway", d, base0));
                            System.out.println(rows.getLast());
                        }
                    }
                }
                System.out.printf(Locale.ROOT, "%n%d requests per mode and row (%d rounds), warm-up %d, %d cores, load average at end: %s%n",
                        requests * rounds, rounds, warmup, Runtime.getRuntime().availableProcessors(), loadAverage());
                System.out.println("| run | p50 direct → proxy (µs) | p99 direct → proxy (µs) | CPU/req direct → proxy, whole machine (µs) | proxy process CPU/req (µs) | added CPU/req (µs) |");
                System.out.println("|---|---|---|---|---|---|");
                rows.forEach(System.out::println);
            } finally {
                stop(gw);
                if (bare != null) stop(bare);
                if (base != null) stop(base);
            }
        }
    }

    /** Starts {@code mainAndArgs} in a JVM with the launcher's flags and this classpath; returns once it listens. */
    private static Process start(String classpath, List<String> mainAndArgs, Path log, String extraJvmFlags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-Xmx1g")); // the launcher's flags
        if (!extraJvmFlags.isBlank()) cmd.addAll(List.of(extraJvmFlags.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", classpath));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        pb.environment().put("BENCH_PROVIDER_KEY", "sk-bench");
        pb.environment().put("BENCH_CLIENT_KEY", "tg-bench");
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine(); // bounded: the gateway either prints it or exits (EOF); JFR may print first
        while (line != null && !line.startsWith("listening ")) line = out.readLine();
        if (line == null || !line.startsWith("listening ")) {
            p.destroyForcibly();
            throw new IllegalStateException(mainAndArgs.getFirst() + " did not start; see " + log);
        }
        return p;
    }

    private static void stop(Process p) throws Exception {
        p.getOutputStream().close();
        if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
    }

    private static String row(String name, List<Result> direct, List<Result> gateway) {
        long[] dLat = merge(direct), gLat = merge(gateway);
        double dP50 = pct(dLat, 50) / 1000, dP99 = pct(dLat, 99) / 1000, gP50 = pct(gLat, 50) / 1000, gP99 = pct(gLat, 99) / 1000;
        double dAll = perRequest(direct, Result::benchCpuNanos);
        double gGw = perRequest(gateway, Result::serverCpuNanos), gAll = perRequest(gateway, Result::benchCpuNanos) + gGw;
        return String.format(Locale.ROOT, "| %s | %.0f → %.0f (+%.0f) | %.0f → %.0f | %.0f → %.0f | %.0f | %+.0f |",
                name, dP50, gP50, gP50 - dP50, dP99, gP99, dAll, gAll, gGw, gAll - dAll);
    }

    private static double perRequest(List<Result> results, java.util.function.ToLongFunction<Result> cpu) {
        long n = results.stream().mapToLong(r -> r.latenciesNanos.length).sum();
        return results.stream().mapToLong(cpu).sum() / (double) n / 1000;
    }

    private static Result run(HttpClient client, Mode mode, int n, int concurrency, boolean stream,
                              FakeOpenAiUpstream upstream) throws Exception {
        String body = "{\"model\":\"" + mode.model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"the quick brown fox jumps over the lazy dog\"}]}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(mode.url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + mode.key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long[] lat = new long[n];
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime(), server0 = cpuNanos(mode.server);
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
        Result result = new Result(lat, os.getProcessCpuTime() - cpu0, cpuNanos(mode.server) - server0);
        upstream.clear();
        return result;
    }

    /** A process's user + system CPU from /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms on Linux). */
    private static long cpuNanos(Process p) throws Exception {
        if (p == null) return 0;
        String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 10_000_000L;
    }

    private static String loadAverage() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static long[] merge(List<Result> parts) {
        return parts.stream().flatMapToLong(r -> Arrays.stream(r.latenciesNanos)).sorted().toArray();
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return args[i + 1];
        return dflt;
    }

    private static int intArg(String[] args, String name, int dflt) {
        return Integer.parseInt(arg(args, name, Integer.toString(dflt)));
    }
}
