package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.LocalServer;
import dev.tailgate.local.engine.server.LlamaServerBinary;
import dev.tailgate.local.store.ModelCatalog;
import dev.tailgate.wire.ByteSizes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The checks behind {@code tailgate doctor}. Each check says what it found and, when it failed, the one thing to do.
 * Nothing here loads a model or starts a service: the doctor must be safe to run next to a running tailgate.
 */
public final class Doctor {
    /**
     * How bad a finding is: FAIL when something configured cannot work (the doctor exits 1), WARN when an optional
     * part is missing or a step is still to do (the rest works; exit 0).
     */
    public enum Level { OK, WARN, FAIL }

    /** One finding. {@code fix} is empty when {@code ok}. */
    public record Check(String name, Level level, String detail, String fix) {
        static Check ok(String name, String detail) {
            return new Check(name, Level.OK, detail, "");
        }

        static Check warn(String name, String detail, String fix) {
            return new Check(name, Level.WARN, detail, fix);
        }

        static Check fail(String name, String detail, String fix) {
            return new Check(name, Level.FAIL, detail, fix);
        }

        public boolean ok() {
            return level == Level.OK;
        }
    }

    static final String OS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    static final boolean MAC = OS.contains("mac");

    private final Path home;
    /** What the printed fixes add so they act on this home ({@link HomeFlag}). */
    private final String homeFlag;

    public Doctor(Path home) {
        this.home = home;
        this.homeFlag = HomeFlag.of(home);
    }

    public List<Check> runAll() {
        List<Check> checks = new ArrayList<>();
        checks.add(javaVersion(Runtime.version()));
        checks.add(nativeAccess());
        checks.add(espeak());
        checks.add(llamaCpp());
        checks.add(onnxRuntime());
        JsonNode local = localConfig();
        // the same lookup the engine and up's defaults use (env, PATH, ~/.tailgate/llama-server): a --home elsewhere
        // does not move where .ci/llama-server.sh installed the binary
        checks.add(llamaServer(LlamaServerBinary.find(), usesLlamaServer(local)));
        checks.addAll(modelFiles(local));
        checks.add(ffmpeg());
        checks.addAll(ports());
        return checks;
    }

    static Check javaVersion(Runtime.Version v) {
        String detail = "Java " + v + " (" + System.getProperty("java.vendor", "?") + ", " + System.getProperty("java.home") + ")";
        return v.feature() >= 25
                ? Check.ok("JDK", detail)
                : Check.fail("JDK", detail + " is older than 25",
                        "install a JDK 25 (apt-get install temurin-25-jdk, sdk install java 25-tem, or https://adoptium.net)"
                                + " and point JAVA_HOME at it");
    }

    static Check nativeAccess() {
        return Doctor.class.getModule().isNativeAccessEnabled()
                ? Check.ok("native access", "enabled (--enable-native-access=ALL-UNNAMED)")
                : Check.fail("native access", "not enabled for this JVM",
                        "start through ./tailgate, or add --enable-native-access=ALL-UNNAMED to the java command");
    }

    static Check espeak() {
        List<String> names = MAC ? List.of("libespeak-ng.1.dylib", "libespeak-ng.dylib") : List.of("libespeak-ng.so.1");
        for (String lib : names) {
            try (Arena arena = Arena.ofConfined()) {
                SymbolLookup.libraryLookup(lib, arena);
                return Check.ok("espeak-ng", lib + " loads (speech: /v1/audio/speech)");
            } catch (RuntimeException e) {
                // try the next name
            }
        }
        // optional: only speech on the espeak-ng engine needs it; everything else works without
        return Check.warn("espeak-ng", names.getFirst() + " not found: speech (/v1/audio/speech) on espeak-ng is unavailable",
                MAC ? "brew install espeak-ng" : "apt-get install espeak-ng (Debian/Ubuntu) or dnf install espeak-ng (Fedora)");
    }

    /**
     * llama.cpp's llama-server: found (path and {@code --version}), or missing — a failure only when local.yaml has a
     * model on the {@code llama-server} engine (otherwise the embedded llama.cpp serves chat).
     */
    static Check llamaServer(Optional<Path> found, boolean required) {
        if (found.isPresent()) {
            return Check.ok("llama-server", found.get() + " (" + LlamaServerBinary.version(found.get()) + ")");
        }
        String install = LlamaServerBinary.installHint();
        return required
                ? Check.fail("llama-server", "not found, and local.yaml has models on engine llama-server", install)
                : Check.ok("llama-server", "not installed: chat runs on the embedded llama.cpp (" + install + ")");
    }

    static boolean usesLlamaServer(JsonNode local) {
        if (local == null) return false;
        for (JsonNode m : local.path("models")) if (m.path("engine").asText().equals(LocalServer.LLAMA_SERVER)) return true;
        return false;
    }

    static Check llamaCpp() {
        String os = MAC ? "Mac" : OS.contains("linux") ? "Linux" : OS;
        String arch = arch("x86_64", "aarch64");
        String lib = "de/kherud/llama/" + os + "/" + arch + "/" + (MAC ? "libjllama.dylib" : "libjllama.so");
        return classAndNative("llama.cpp (JNI)", "de.kherud.llama.LlamaModel", lib);
    }

    static Check onnxRuntime() {
        String os = MAC ? "osx" : OS.contains("linux") ? "linux" : OS;
        String arch = arch("x64", "aarch64");
        String lib = "ai/onnxruntime/native/" + os + "-" + arch + "/" + (MAC ? "libonnxruntime.dylib" : "libonnxruntime.so");
        return classAndNative("ONNX Runtime", "ai.onnxruntime.OrtEnvironment", lib);
    }

    /** FFmpeg, the audio codecs of /v1/audio/*: JavaCPP ships its natives for Linux x86-64 and macOS in the application. */
    static Check ffmpeg() {
        String platform = (MAC ? "macosx-" : OS.contains("linux") ? "linux-" : OS + "-") + arch("x86_64", "arm64");
        String lib = "org/bytedeco/ffmpeg/" + platform + "/" + (MAC ? "libavcodec.61.dylib" : "libavcodec.so.61");
        Check c = classAndNative("FFmpeg (audio codecs)", "org.bytedeco.ffmpeg.global.avcodec", lib);
        if (c.ok() || !c.detail().startsWith("no native library")) return c;
        return Check.warn(c.name(), c.detail() + "; speech and transcription need it",
                "run on Linux x86_64 or macOS (the application carries FFmpeg for those only)");
    }

    private static String arch(String x64Name, String armName) {
        String a = System.getProperty("os.arch", "");
        return a.equals("amd64") || a.equals("x86_64") ? x64Name : a.equals("aarch64") || a.equals("arm64") ? armName : a;
    }

    /** The Java binding is on the classpath and ships a native library for this OS/CPU (nothing is loaded). */
    static Check classAndNative(String name, String className, String nativeResource) {
        ClassLoader cl = Doctor.class.getClassLoader();
        try {
            Class.forName(className, false, cl);
        } catch (ClassNotFoundException | LinkageError e) {
            return Check.fail(name, className + " is missing from the application",
                    "rebuild: ./mvnw -B -DskipTests package (or delete app/target and run ./tailgate again)");
        }
        if (cl.getResource(nativeResource) == null) {
            return Check.fail(name, "no native library for " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + " (" + nativeResource + ")",
                    "run on Linux or macOS, x86_64 or aarch64");
        }
        return Check.ok(name, "binding and native library for this platform present");
    }

    /** local.yaml from the home, or the default one `up` would write (so the doctor is useful before the first start). */
    JsonNode localConfig() {
        Path file = home.resolve(DefaultConfigs.LOCAL);
        try {
            return Files.isRegularFile(file)
                    ? ClientsFile.YAML.readTree(file.toFile())
                    : ClientsFile.YAML.readTree(DefaultConfigs.localYaml(home));
        } catch (IOException e) {
            return null;
        }
    }

    /** Every model with a {@code file:} needs that file; models without one ship inside the application. */
    List<Check> modelFiles(JsonNode local) {
        if (local == null || !local.isObject()) {
            return List.of(Check.fail("model files", home.resolve(DefaultConfigs.LOCAL) + " is not valid YAML",
                    "fix it, or move it away and run tailgate up" + homeFlag + " to write the default"));
        }
        String dirText = local.path("models_dir").asText(home.resolve("models").toString());
        Path modelsDir = dirText.startsWith("~")
                ? Home.expand(dirText, System.getProperty("user.home"))
                : home.resolve(dirText).normalize();
        List<Check> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = local.path("models").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            String name = "model " + m.getKey();
            JsonNode fileNode = m.getValue().get("file");
            if (fileNode == null || fileNode.isNull()) {
                out.add(Check.ok(name, "built into the application (" + m.getValue().path("engine").asText("?") + ")"));
                continue;
            }
            String f = fileNode.asText();
            Path file = f.startsWith("~") ? Home.expand(f, System.getProperty("user.home")) : modelsDir.resolve(f).normalize();
            long size = sizeOf(file);
            if (size > 0) {
                out.add(Check.ok(name, file + " (" + ByteSizes.format(size) + ")"));
            } else {
                boolean pullable = m.getValue().hasNonNull("source") || ModelCatalog.find(m.getKey()).isPresent();
                String fix = "tailgate models pull " + m.getKey() + homeFlag;
                if (size == 0) {
                    out.add(Check.fail(name, file + " is empty", fix));
                } else if (pullable) {
                    // a step still to do, not a broken setup: `up` downloads a missing chat model in the background
                    out.add(Check.warn(name, file + " is missing (until it is downloaded the model is unavailable)", fix));
                } else {
                    out.add(Check.fail(name, file + " is missing and local.yaml names no source for it",
                            "put the file there, or add source: hf://OWNER/REPO/FILE to models." + m.getKey()));
                }
            }
        }
        return out;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** {@code host:port} from a config's {@code listen:} in the home, or the default. */
    String listen(String configName, String fallback) {
        Path file = home.resolve(configName);
        if (!Files.isRegularFile(file)) return fallback;
        try {
            JsonNode root = ClientsFile.YAML.readTree(file.toFile());
            JsonNode l = root == null ? null : root.get("listen");
            return l != null && l.isTextual() ? l.asText().trim() : fallback;
        } catch (IOException e) {
            return fallback;
        }
    }

    /**
     * The ports this home's services use: those of its running {@code up} when its run file names a live process
     * ({@code up --port/--local-port} may have moved them away from the configs), else the configs' {@code listen:}.
     */
    List<Check> ports() {
        Optional<HomeAddresses.Running> running = HomeAddresses.running(home);
        if (running.isPresent()) {
            long pid = running.get().pid();
            return List.of(runningPort("gateway", running.get().addresses().gatewayUrl(), pid),
                    runningPort("qwen-local", running.get().addresses().localUrl(), pid));
        }
        return List.of(port("gateway", listen(DefaultConfigs.GATEWAY, "127.0.0.1:8080"), homeFlag),
                port("qwen-local", listen(DefaultConfigs.LOCAL, "127.0.0.1:8081"), homeFlag));
    }

    /** A port of this home's running {@code up} (pid from its run file): in use by it, which is fine if it answers. */
    Check runningPort(String service, String url, long pid) {
        URI base;
        try {
            base = URI.create(url);
            if (!"http".equals(base.getScheme()) || base.getHost() == null || base.getPort() < 1) throw new IllegalArgumentException(url);
        } catch (IllegalArgumentException e) {
            return Check.warn(service + " port", home.resolve(HomeAddresses.RUN_FILE) + " names '" + url + "', not an http://HOST:PORT URL",
                    "stop that tailgate (pid " + pid + ") and start it again: tailgate up" + homeFlag);
        }
        String name = service + " port " + base.getPort();
        StatusClient.Result r = new StatusClient(java.time.Duration.ofSeconds(2)).get(base.resolve("/health"), null);
        if (r.ok()) {
            return Check.ok(name, "in use by this home's running tailgate (pid " + pid + ", status: "
                    + r.body().path("status").asText() + ")");
        }
        // alive but silent: still starting, hung, or the pid now belongs to another program (the run file outlived it)
        return Check.warn(name, "this home's running tailgate (pid " + pid + ") does not answer on " + url + ": " + r.error(),
                "see tailgate status" + homeFlag + "; if pid " + pid + " is not tailgate, delete "
                        + home.resolve(HomeAddresses.RUN_FILE));
    }

    /** The port is free, or a tailgate service is already answering on it (a running `up` is not a problem). */
    static Check port(String service, String hostPort, String homeFlag) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 ? hostPort.substring(0, colon).replace("[", "").replace("]", "") : "127.0.0.1";
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            return Check.fail(service + " port", "listen: '" + hostPort + "' is not HOST:PORT", "write listen: 127.0.0.1:PORT");
        }
        String name = service + " port " + port;
        if (port == 0) return Check.ok(name, "any free port (listen: " + hostPort + ")");
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return Check.ok(name, "free on " + host);
        } catch (IOException busy) {
            String probeHost = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
            StatusClient.Result r = new StatusClient(java.time.Duration.ofSeconds(2)).get(
                    URI.create("http://" + (probeHost.contains(":") ? "[" + probeHost + "]" : probeHost) + ":" + port + "/health"), null); // /health: open on both services (qwen-local's /status wants its key)
            if (r.ok()) return Check.ok(name, "in use by a running tailgate service (status: " + r.body().path("status").asText() + ")");
            return Check.fail(name, "in use by another program on " + host + " (" + busy.getMessage() + ")",
                    "stop it (find it with: ss -ltnp 'sport = :" + port + "' or lsof -i :" + port
                            + "), or run tailgate up" + homeFlag + " --port N --local-port M with free ports (or change listen: in "
                            + service + "'s config)");
        }
    }
}
