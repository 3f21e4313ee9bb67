package dev.tailgate.bench.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.InProcessEngineFactory;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.server.LlamaServerBinary;
import dev.tailgate.local.engine.server.LlamaServerFactory;
import dev.tailgate.local.engine.worker.WorkerProcessFactory;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * qwen-local engine throughput: chat tokens/s of {@code LlamaChatEngine} on a Qwen2.5-0.5B-shaped synthetic Q8_0 GGUF,
 * and embeddings texts/s of the ONNX all-MiniLM-L6-v2 engine — each in-process and through a worker process, measured
 * in one run so the ratios are comparable.
 *
 * <p>Every way of reaching an engine is a {@link Mode} that opens a {@link LoadedModel}: in-process, worker process, or
 * HTTP to a running qwen-local/gateway ({@code --modes http --url http://127.0.0.1:8081/v1}, key from
 * {@code TAILGATE_BENCH_KEY}).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.tailgate.bench.local.EngineBench [--tokens 64] [--runs 5]
 *      [--threads 2] [--warmup 15000] [--texts 64] [--shape 0.5b|1.5b] [--type Q8_0|Q4_0|F16] [--modes in-process,worker,llama-server,http+worker,http+l-server,http] [--llama-bench PATH] [--only chat|embeddings] [--dir /tmp/tailgate-bench]
 *      [--url http://127.0.0.1:8081/v1] [--http-chat-model NAME] [--http-embed-model NAME]
 * </pre>
 */
public final class EngineBench {

    /** One way to reach an engine. */
    interface Mode {
        String name();
        LoadedModel open(ModelSpec spec) throws Exception;
    }

    record InProcess() implements Mode {
        public String name() { return "in-process"; }
        public LoadedModel open(ModelSpec spec) throws Exception { return new InProcessEngineFactory().load(spec); }
    }

    record Worker(Path logs) implements Mode {
        public String name() { return "worker"; }
        public LoadedModel open(ModelSpec spec) throws Exception {
            return new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(logs)).load(spec);
        }
    }

    /** llama.cpp's llama-server as qwen-local's {@code llama-server} engine runs it (its own process, its HTTP API). */
    record LlamaServer(Path logs) implements Mode {
        public String name() { return "llama-server"; }
        public LoadedModel open(ModelSpec spec) throws Exception {
            return new LlamaServerFactory(LlamaServerBinary::find, logs, java.time.Duration.ofSeconds(300)).load(spec);
        }
    }

    /**
     * The whole HTTP path: qwen-local in its own process (its scheduler, and the model on {@code engine}: a worker
     * process for {@code llama.cpp}, a llama-server process for {@code llama-server}), reached over the OpenAI wire
     * with SSE the way a client reaches it. Its CPU per token is measured from {@code /proc}.
     */
    record QwenLocalHttp(String name, String engine, Path dir) implements Mode {
        public LoadedModel open(ModelSpec spec) throws Exception {
            return QwenLocalProcess.start(dir, spec, spec.capability() == ModelSpec.Capability.CHAT ? engine : spec.engine());
        }
    }

    /**
     * llama.cpp's own {@code llama-bench} (next to the llama-server found, or {@code --llama-bench PATH}) on the same
     * file: decode tokens/s of text generation with no prompt, the raw engine with no server around it.
     */
    static double llamaBench(Path binary, Path gguf, int tokens, int runs, int threads) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "-m", gguf.toString(), "-p", "0", "-n", Integer.toString(tokens),
                "-t", Integer.toString(threads), "-r", Integer.toString(runs), "-o", "json").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IllegalStateException("llama-bench failed: " + out);
        for (com.fasterxml.jackson.databind.JsonNode r : Json.parse(out)) {
            if (r.path("n_gen").asInt() > 0) return r.path("avg_ts").asDouble();
        }
        throw new IllegalStateException("llama-bench printed no generation result: " + out);
    }

    /**
     * A running qwen-local (or gateway) at {@code url}, serving the models under the names given by
     * {@code --http-chat-model}/{@code --http-embed-model}: start it with a config whose chat model's file is the
     * synthetic GGUF this benchmark writes, so all modes run the same model.
     */
    record Http(URI url, String chatModel, String embedModel, String apiKey) implements Mode {
        public String name() { return "http"; }
        public LoadedModel open(ModelSpec spec) {
            return new HttpModel(url, spec.capability() == ModelSpec.Capability.CHAT ? chatModel : embedModel, apiKey);
        }
    }

    record ChatResult(double firstTokenMs, double decodeTokensPerSecond, double overallTokensPerSecond, int tokens) {}

    public static void main(String[] args) throws Exception {
        int tokens = intArg(args, "--tokens", 64);
        int runs = intArg(args, "--runs", 5);
        int threads = intArg(args, "--threads", 2);
        int texts = intArg(args, "--texts", 64);
        String only = strArg(args, "--only", "");
        Path dir = Path.of(strArg(args, "--dir", System.getProperty("java.io.tmpdir") + "/tailgate-bench"));
        Files.createDirectories(dir);
        List<Mode> modes = new ArrayList<>();
        for (String m : strArg(args, "--modes", "in-process,worker").split(",")) {
            modes.add(switch (m.trim()) {
                case "in-process" -> new InProcess();
                case "worker" -> new Worker(dir.resolve("logs"));
                case "llama-server" -> new LlamaServer(dir.resolve("logs"));
                case "http+l-server" -> new QwenLocalHttp("http+l-server", "llama-server", dir);
                case "http+worker" -> new QwenLocalHttp("http+worker", "llama.cpp", dir);
                case "http" -> new Http(URI.create(strArg(args, "--url", "http://127.0.0.1:8081/v1/").replaceAll("/?$", "/")),
                        strArg(args, "--http-chat-model", "qwen25-05b-shape"), strArg(args, "--http-embed-model", "all-minilm-l6-v2"),
                        System.getenv("TAILGATE_BENCH_KEY"));
                default -> throw new IllegalArgumentException("unknown mode " + m + " (in-process, worker, llama-server, http+worker, http+l-server, http)");
            });
        }
        System.out.printf(Locale.ROOT, "cpus=%d threads=%d tokens=%d runs=%d texts=%d%n",
                Runtime.getRuntime().availableProcessors(), threads, tokens, runs, texts);

        if (!only.equals("embeddings")) {
            String shape = strArg(args, "--shape", "0.5b");
            GgmlType type = GgmlType.valueOf(strArg(args, "--type", "Q8_0").toUpperCase(Locale.ROOT));
            SyntheticGguf writer = switch (shape) {
                case "0.5b" -> SyntheticGguf.qwen25_05b();
                case "1.5b" -> SyntheticGguf.qwen25_15b();
                default -> throw new IllegalArgumentException("unknown shape " + shape + " (0.5b, 1.5b)");
            };
            String name = "qwen25-" + shape.replace(".", "") + "-shape-" + type.name().toLowerCase(Locale.ROOT);
            Path gguf = dir.resolve(name + ".gguf");
            if (!Files.exists(gguf)) {
                long t0 = System.nanoTime();
                Path tmp = dir.resolve(name + ".gguf.tmp");
                writer.type(type).seed(1).write(tmp);
                Files.move(tmp, gguf);
                System.out.printf(Locale.ROOT, "wrote %s (%d MB) in %.1fs%n", gguf, Files.size(gguf) >> 20, (System.nanoTime() - t0) / 1e9);
            }
            ModelSpec spec = new ModelSpec(name, ModelSpec.Capability.CHAT, "llama.cpp", gguf, 2048, threads);
            String llamaBench = strArg(args, "--llama-bench",
                    LlamaServerBinary.find().map(s -> s.resolveSibling("llama-bench").toString()).orElse(""));
            chatRounds(modes, spec, tokens, intArg(args, "--warmup", 15000), runs, threads, llamaBench);
        }
        if (!only.equals("chat")) {
            ModelSpec spec = new ModelSpec("all-minilm-l6-v2", ModelSpec.Capability.EMBEDDINGS, "onnx", null, 0, threads);
            List<String> inputs = new ArrayList<>();
            for (int i = 0; i < texts; i++) {
                inputs.add("Sentence number " + i + " about local models, gateways and the price of tokens in 2026.");
            }
            for (Mode mode : modes) {
                long loadStart = System.nanoTime();
                try (LoadedModel model = mode.open(spec)) {
                    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
                    embed(model, inputs.subList(0, 4)); // warm-up
                    double[] rates = new double[runs];
                    for (int i = 0; i < runs; i++) rates[i] = inputs.size() / embed(model, inputs);
                    System.out.printf(Locale.ROOT, "embed %-10s load %5.2f s | %8.1f texts/s (batch of %d) | memory %d MB%n",
                            mode.name(), loadSeconds, median(rates), inputs.size(), model.memoryBytes() >> 20);
                }
            }
        }
        System.exit(0);
    }

    /**
     * Decode tokens/s of every mode (and llama-bench, when found) measured in alternating rounds: all models stay
     * loaded, each round runs every contender once, the order rotating from round to round, so a change in the
     * machine's load hits all of them alike. Ratios are medians of the per-round ratios. For the HTTP modes and the
     * direct llama-server mode it also prints the CPU the Java side spent per token, by thread group (for the HTTP modes
     * also this JVM's, the client's).
     */
    static void chatRounds(List<Mode> modes, ModelSpec spec, int tokens, int warmup, int runs, int threads, String llamaBench)
            throws Exception {
        List<String> names = new ArrayList<>();
        List<LoadedModel> models = new ArrayList<>(); // null: llama-bench, run once per round
        List<Long> pids = new ArrayList<>(); // whose CPU to measure, -1: none (the engine's own compute is in it)
        if (!llamaBench.isEmpty() && Files.isExecutable(Path.of(llamaBench))) {
            names.add("llama-bench");
            models.add(null);
            pids.add(-1L);
        }
        try {
            for (Mode mode : modes) {
                long loadStart = System.nanoTime();
                LoadedModel model = mode.open(spec);
                models.add(model);
                names.add(mode.name());
                pids.add(model instanceof QwenLocalProcess q ? q.pid() : mode instanceof LlamaServer ? ProcessHandle.current().pid() : -1L);
                System.out.printf(Locale.ROOT, "chat  %-14s loaded in %.2f s%n", mode.name(), (System.nanoTime() - loadStart) / 1e9);
                System.out.printf(Locale.ROOT, "chat  %-14s %s%n", mode.name(), warmUp(model, tokens, warmup));
            }
            int n = names.size();
            double[][] decode = new double[n][runs];
            double[][] first = new double[n][runs];
            long[] cpuTokens = new long[n];
            List<Map<String, Long>> cpu = new ArrayList<>();
            for (int i = 0; i < n; i++) cpu.add(new TreeMap<>());
            // the bench's own client CPU in the qwen-local modes: in the direct llama-server mode the client is all
            // the Java CPU there is, so comparing the two shows the reference did not carry a heavier client
            long self = ProcessHandle.current().pid();
            List<Map<String, Long>> clientCpu = new ArrayList<>();
            for (int i = 0; i < n; i++) clientCpu.add(new TreeMap<>());
            for (int r = 0; r < runs; r++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %2d (load %s):", r + 1, loadAverage()));
                for (int k = 0; k < n; k++) {
                    int i = (r + k) % n;
                    if (models.get(i) == null) {
                        decode[i][r] = llamaBench(Path.of(llamaBench), spec.file(), tokens, 1, threads);
                        first[i][r] = Double.NaN;
                    } else {
                        ThreadCpu before = pids.get(i) > 0 ? ThreadCpu.of(pids.get(i)) : null;
                        boolean viaQwenLocal = models.get(i) instanceof QwenLocalProcess;
                        ThreadCpu clientBefore = viaQwenLocal ? ThreadCpu.of(self) : null;
                        ChatResult c = chat(models.get(i), tokens);
                        if (before != null) {
                            ThreadCpu.of(pids.get(i)).since(before).forEach((g, ns) -> cpu.get(i).merge(g, ns, Long::sum));
                            cpuTokens[i] += c.tokens();
                        }
                        if (clientBefore != null) {
                            ThreadCpu.of(self).since(clientBefore).forEach((g, ns) -> clientCpu.get(i).merge(g, ns, Long::sum));
                        }
                        decode[i][r] = c.decodeTokensPerSecond();
                        first[i][r] = c.firstTokenMs();
                    }
                    line.append(String.format(Locale.ROOT, " %s %.2f", names.get(i), decode[i][r]));
                }
                System.out.println(line);
            }
            System.out.printf(Locale.ROOT, "chat  %d rounds of %d tokens, threads=%d, load average %s%n", runs, tokens, threads, loadAverage());
            for (int i = 0; i < n; i++) {
                LoadedModel model = models.get(i);
                System.out.printf(Locale.ROOT, "chat  %-14s decode %6.2f tok/s | first token %7.1f ms | memory %s%s%n", names.get(i),
                        median(decode[i]), median(first[i]), model == null ? "-" : (model.memoryBytes() >> 20) + " MB",
                        cpuTokens[i] == 0 ? "" : " | Java CPU " + perToken(cpu.get(i), cpuTokens[i]));
                if (!clientCpu.get(i).isEmpty()) {
                    System.out.printf(Locale.ROOT, "chat  %-14s bench client CPU %s%n", names.get(i), perToken(clientCpu.get(i), cpuTokens[i]));
                }
            }
            for (int i = 0; i < n; i++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "ratio %-14s", names.get(i)));
                for (int j = 0; j < n; j++) {
                    if (i == j) continue;
                    double[] ratios = new double[runs];
                    for (int r = 0; r < runs; r++) ratios[r] = decode[i][r] / decode[j][r];
                    line.append(String.format(Locale.ROOT, " | / %s %.3f", names.get(j), median(ratios)));
                }
                System.out.println(line);
            }
        } finally {
            for (LoadedModel m : models) if (m != null) m.close();
        }
    }

    /**
     * Warms one mode up the way a serving process warms up: requests of {@code tokens} tokens until {@code minTokens}
     * were generated. One long request does not do it: its per-request code runs once, and code that runs once per
     * token must run ~15,000 times (C2's {@code Tier4CompileThreshold}) before C2 compiles it. After one 1,500-token
     * request qwen-local's C2 threads still spent 0.41 ms per measured token (half its CPU); after 15,000 tokens in
     * 128-token requests, 0.014 ms. What the compiler still does in the measured rounds shows in the CPU breakdown.
     */
    static String warmUp(LoadedModel model, int tokens, int minTokens) throws Exception {
        int done = 0;
        int requests = 0;
        for (; done < minTokens; requests++) done += chat(model, tokens).tokens();
        return String.format(Locale.ROOT, "warmed up with %d tokens in %d requests", done, requests);
    }

    /** "0.85 ms/token (vert.x-eventloop-thread-# 0.40, …)": the process total and its biggest thread groups. */
    private static String perToken(Map<String, Long> byGroup, long tokens) {
        long total = byGroup.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%.3f ms/token (", total / 1e6 / tokens));
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .forEach(e -> s.append(String.format(Locale.ROOT, "%s %.3f, ", e.getKey(), e.getValue() / 1e6 / tokens)));
        s.setLength(s.length() - 2);
        return s.append(")").toString();
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    /** One greedy completion of exactly {@code tokens} tokens (the synthetic model never ends its turn by itself). */
    static ChatResult chat(LoadedModel model, int tokens) throws Exception {
        ObjectNode body = Json.object();
        body.putArray("messages").addObject().put("role", "user").put("content", "Write a long story about a lighthouse keeper.");
        body.put("max_tokens", tokens).put("temperature", 0);
        long start = System.nanoTime();
        long[] first = {0};
        CompletableFuture<JobListener.Usage> done = new CompletableFuture<>();
        model.submit(new EngineRequest.Chat(body), new JobListener() {
            @Override public void onDelta(String text) { if (first[0] == 0) first[0] = System.nanoTime(); }
            @Override public void onComplete(Usage usage, String finishReason) { done.complete(usage); }
            @Override public void onError(EngineFailure failure) { done.completeExceptionally(new IllegalStateException(failure.toString())); }
        });
        JobListener.Usage usage = done.get(10, TimeUnit.MINUTES);
        long end = System.nanoTime();
        int n = usage.completionTokens();
        double firstMs = (first[0] - start) / 1e6;
        double decode = (n - 1) / ((end - first[0]) / 1e9);
        return new ChatResult(firstMs, decode, n / ((end - start) / 1e9), n);
    }

    /** Seconds to embed {@code inputs} in one request. */
    static double embed(LoadedModel model, List<String> inputs) throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Void> done = new CompletableFuture<>();
        model.submit(new EngineRequest.Embed(inputs), new JobListener() {
            @Override public void onComplete(Usage usage, String finishReason) { done.complete(null); }
            @Override public void onError(EngineFailure failure) { done.completeExceptionally(new IllegalStateException(failure.toString())); }
        });
        done.get(10, TimeUnit.MINUTES);
        return (System.nanoTime() - start) / 1e9;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static int intArg(String[] args, String name, int dflt) {
        String v = strArg(args, name, null);
        return v == null ? dflt : Integer.parseInt(v);
    }

    private static String strArg(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return args[i + 1];
        return dflt;
    }
}
