package dev.tailgate.local.engine.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFactory;
import dev.tailgate.local.engine.InProcessEngineFactory;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.llama.LlamaNative;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Loads each model in its own worker JVM ({@link WorkerMain}) and hands back a {@link WorkerModel} supervising it.
 * A native abort, a hang or leaked native memory then costs one worker, never qwen-local.
 *
 * <p>The child runs the same {@code java} binary and classpath as this process, with a small heap (model weights live
 * in native memory), native access enabled, llama.cpp's library unpacked once and shared, and stdout+stderr written
 * to {@code <logDir>/<model>.log} (the one before kept as {@code <model>.previous.log}) (native logs go there). It connects back to a one-shot loopback port and proves
 * itself with a random token.
 */
public final class WorkerProcessFactory implements EngineFactory {
    /** JVM + libraries of a worker on top of its model (measured ~60-90 MB RSS for an idle JVM with our classes). */
    public static final long WORKER_OVERHEAD_BYTES = 128L << 20;

    /**
     * What keeps a worker's resident memory near its model's weights (measured in bench/README.md): the heap starts
     * small and gives memory back after a collection (instead of committing the whole -Xmx at start, which the default
     * initial size of 1/64 of the machine's RAM does), one serial GC thread and its small footprint, only the C1
     * compiler (a worker's hot loops are native; C2's code and compiler arenas cost ~10 MB), compiling only methods ten
     * times hotter than the default (what runs in Java is protocol glue; −3 to −6 MB of code and compiler memory per
     * worker, measured), a capped code cache, and no class-data-sharing archive: the JDK maps it at a random address
     * and relocates it, so ~10.5 of its 13.5 resident MB are private to every worker anyway, more than the ~2,500
     * classes a worker loads take in metaspace (−3 MB each).
     */
    static final List<String> MEMORY_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30", "-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=10",
            "-XX:ReservedCodeCacheSize=32m", "-Xshare:off");

    private final Settings settings;
    private final InProcessEngineFactory estimates = new InProcessEngineFactory();
    private volatile Path llamaLibDir;

    /**
     * @param loadTimeout how long a worker may take to start and load its model
     * @param logDir      where worker logs go (created)
     * @param extraJvmArgs more JVM options for every worker (e.g. {@code -DTAILGATE_TEST_HOOKS=1} in tests)
     * @param environment more environment variables for every worker
     */
    public record Settings(Duration loadTimeout, Path logDir, String chatHeap, String embeddingsHeap,
                           List<String> extraJvmArgs, Map<String, String> environment) {
        public Settings {
            Objects.requireNonNull(loadTimeout);
            Objects.requireNonNull(logDir);
            extraJvmArgs = List.copyOf(extraJvmArgs);
            environment = Map.copyOf(environment);
        }

        public static Settings defaults(Path logDir) {
            return new Settings(Duration.ofSeconds(120), logDir, "256m", "384m", List.of(), Map.of());
        }

        public Settings withLoadTimeout(Duration t) { return new Settings(t, logDir, chatHeap, embeddingsHeap, extraJvmArgs, environment); }
        public Settings withJvmArgs(List<String> a) { return new Settings(loadTimeout, logDir, chatHeap, embeddingsHeap, a, environment); }
        public Settings withEnvironment(Map<String, String> e) { return new Settings(loadTimeout, logDir, chatHeap, embeddingsHeap, extraJvmArgs, e); }
    }

    public WorkerProcessFactory(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    @Override
    public long estimateMemoryBytes(ModelSpec spec) {
        return estimates.estimateMemoryBytes(spec) + WORKER_OVERHEAD_BYTES;
    }

    /** What the engine itself lacks on this machine (espeak-ng's library), checked here without starting a worker. */
    @Override
    public String unavailableReason(ModelSpec spec) {
        return estimates.unavailableReason(spec);
    }

    @Override
    public LoadedModel load(ModelSpec spec) throws EngineException {
        InProcessEngineFactory.Kind kind = InProcessEngineFactory.kind(spec); // refuse unknown engines without a process
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        long deadline = System.nanoTime() + settings.loadTimeout().toNanos();
        Path log;
        Process process;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Files.createDirectories(settings.logDir());
            log = settings.logDir().resolve(safeName(spec.id()) + ".log");
            // Keep the previous worker's log: after a crash, the restart would otherwise overwrite the evidence.
            if (Files.exists(log)) {
                Files.move(log, settings.logDir().resolve(safeName(spec.id()) + ".previous.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            process = start(spec, kind, server.getLocalPort(), token, log);
            // A worker that dies before connecting must not leave us waiting for the whole timeout.
            process.onExit().thenRun(() -> closeQuietly(server));
            Socket socket;
            try {
                server.setSoTimeout(remainingMillis(deadline));
                socket = server.accept();
            } catch (IOException e) {
                throw failure(spec, process, log, "did not connect back");
            }
            LineChannel channel = new LineChannel(socket);
            try {
                socket.setSoTimeout(remainingMillis(deadline));
                JsonNode hello = channel.read();
                if (hello == null || !"hello".equals(hello.path("type").asText()) || !token.equals(hello.path("token").asText())) {
                    channel.close();
                    throw failure(spec, process, log, "sent a bad greeting");
                }
                JsonNode loaded = channel.read();
                if (loaded == null) throw failure(spec, process, log, "closed the connection while loading");
                if ("load_failed".equals(loaded.path("type").asText())) {
                    channel.close();
                    WorkerModel.kill(process);
                    throw new EngineException(loaded.path("message").asText("model failed to load"));
                }
                socket.setSoTimeout(0);
            } catch (SocketTimeoutException e) {
                channel.close();
                throw failure(spec, process, log, "did not finish loading within " + settings.loadTimeout().toSeconds() + "s");
            } catch (IOException e) {
                channel.close();
                throw failure(spec, process, log, "lost its connection while loading");
            }
            return new WorkerModel(spec.id(), process, channel, estimateMemoryBytes(spec), InProcessEngineFactory.weightsBytes(spec));
        } catch (IOException e) {
            throw new EngineException("cannot start a worker for '" + spec.id() + "': " + e.getMessage(), e);
        }
    }

    private Process start(ModelSpec spec, InProcessEngineFactory.Kind kind, int port, String token, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        boolean llama = kind == InProcessEngineFactory.Kind.LLAMA_CHAT || kind == InProcessEngineFactory.Kind.LLAMA_EMBEDDINGS;
        // llama.cpp keeps weights and KV cache in native memory: its workers need little heap; ONNX post-processing more.
        cmd.add("-Xmx" + (llama ? settings.chatHeap() : settings.embeddingsHeap()));
        cmd.addAll(MEMORY_FLAGS);
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        if (llama) {
            cmd.add("-D" + LlamaNative.LIB_PATH_PROPERTY + "=" + llamaLibDir());
            cmd.add("-D" + LlamaNative.TMPDIR_PROPERTY + "=" + Files.createDirectories(
                    Path.of(System.getProperty("java.io.tmpdir"), "tailgate-natives", "scratch")));
        }
        cmd.addAll(settings.extraJvmArgs());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WorkerMain.class.getName());
        cmd.add(Integer.toString(port));
        cmd.add(token);
        cmd.add(Json.string(WorkerProtocol.specJson(spec)));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        // glibc keeps freed native memory: per-thread arenas (8 per core; two are plenty for one engine), and a
        // dynamic mmap threshold that, once a large buffer is freed, serves the next ones from the heap, where they
        // stay resident. A fixed 128 KiB threshold returns every large engine buffer to the OS when it is freed.
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        pb.environment().put("MALLOC_MMAP_THRESHOLD_", "131072");
        pb.environment().putAll(settings.environment());
        return pb.start();
    }

    private Path llamaLibDir() {
        Path dir = llamaLibDir;
        if (dir == null) {
            try {
                dir = LlamaNative.unpackLibrary(Path.of(System.getProperty("java.io.tmpdir"), "tailgate-natives"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            llamaLibDir = dir;
        }
        return dir;
    }

    private EngineException failure(ModelSpec spec, Process process, Path log, String what) {
        WorkerModel.kill(process);
        String exit = process.isAlive() ? "" : " (" + WorkerModel.describeExit(process.exitValue()) + ")";
        return new EngineException("worker for '" + spec.id() + "' " + what + exit + lastLines(log));
    }

    /** The end of the worker's log, so a load failure explains itself in /status. */
    private static String lastLines(Path log) {
        try {
            List<String> lines = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
            return tail.isEmpty() ? "" : "; log " + log + " ends with: " + String.join(" | ", tail);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) throw new SocketTimeoutException("load timeout");
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static String safeName(String id) {
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
