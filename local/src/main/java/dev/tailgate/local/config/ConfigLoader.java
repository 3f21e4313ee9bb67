package dev.tailgate.local.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.engine.ModelSpec.Capability;
import dev.tailgate.wire.ByteSizes;
import dev.tailgate.wire.Durations;
import dev.tailgate.wire.config.ConfigException;
import dev.tailgate.wire.config.YamlDocument;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates the qwen-local YAML through the shared {@link YamlDocument}: every error names the file, the
 * line and the key, a key written twice is refused, and durations need a unit — the same rules as gateway.yaml.
 * Every key is documented in docs/local-config.md; DocumentedLocalConfigTest reads the accepted keys from this
 * loader's unknown-key refusal and fails until the page lists exactly them.
 */
public final class ConfigLoader {
    private static final Set<String> TOP_KEYS = Set.of("listen", "models_dir", "logs_dir", "memory_budget", "max_request_bytes",
            "shutdown_grace", "models", "api_key_sha256");
    private static final Set<String> MODEL_KEYS = Set.of("capability", "engine", "file", "source", "context", "threads",
            "max_concurrency", "max_queue", "keep_alive", "stuck_after");

    private final Map<String, Set<Capability>> engines;
    private final Set<String> knownEngines;

    /**
     * {@code engines}: engine name → the capabilities it serves, in this build. An unknown engine, or one asked for a
     * capability it does not serve, is a config error naming the choices.
     */
    public ConfigLoader(Map<String, Set<Capability>> engines) {
        this.engines = Map.copyOf(engines);
        this.knownEngines = this.engines.keySet();
    }

    /** Engines by name only, each accepted for any capability. */
    public ConfigLoader(Set<String> knownEngines) {
        this(knownEngines.stream().collect(java.util.stream.Collectors.toMap(e -> e, e -> Set.of(Capability.values()))));
    }

    public LocalConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), text, file.toAbsolutePath().getParent());
    }

    /** {@code baseDir}: where a relative {@code models_dir} is resolved (the config file's folder). */
    public LocalConfig parse(String yaml, Path baseDir) {
        return parse("config", yaml, baseDir);
    }

    private LocalConfig parse(String fileName, String yaml, Path baseDir) {
        YamlDocument doc = YamlDocument.parse(fileName, yaml);
        JsonNode root = doc.root();
        if (!root.isObject()) throw doc.error("", "the file must be a mapping of keys (listen, models_dir, memory_budget, models)");
        checkKeys(doc, "", TOP_KEYS);

        String host = LocalConfig.DEFAULT_HOST;
        int port = LocalConfig.DEFAULT_PORT;
        if (root.has("listen")) {
            String listen = text(doc, "/listen");
            int colon = listen.lastIndexOf(':');
            if (colon <= 0) throw doc.error("/listen", "must be HOST:PORT, e.g. 127.0.0.1:8081 (got '" + listen + "')");
            host = listen.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1); // [::1]:8081
            try {
                port = Integer.parseInt(listen.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) throw doc.error("/listen", "port must be 0-65535 (got '" + listen + "')");
        }
        Path modelsDir = expandHome(root.has("models_dir") ? text(doc, "/models_dir") : "~/.tailgate/models");
        if (!modelsDir.isAbsolute()) modelsDir = (baseDir != null ? baseDir : Path.of("")).resolve(modelsDir).toAbsolutePath();
        Path logsDir = root.has("logs_dir") ? expandHome(text(doc, "/logs_dir")) : modelsDir.resolveSibling("logs");
        if (!logsDir.isAbsolute()) logsDir = (baseDir != null ? baseDir : Path.of("")).resolve(logsDir).toAbsolutePath();
        long budget = root.has("memory_budget") ? size(doc, "/memory_budget") : defaultBudget();
        if (budget <= 0) throw doc.error("/memory_budget", "must be larger than 0");
        long maxBody = root.has("max_request_bytes") ? size(doc, "/max_request_bytes") : LocalConfig.DEFAULT_MAX_REQUEST_BYTES;
        Duration grace = root.has("shutdown_grace") ? duration(doc, "/shutdown_grace") : LocalConfig.DEFAULT_SHUTDOWN_GRACE;

        List<ModelConfig> models = new ArrayList<>();
        JsonNode modelsNode = root.get("models");
        if (modelsNode != null && !modelsNode.isNull()) {
            if (!modelsNode.isObject()) throw doc.error("/models", "must be a mapping of model id to its settings");
            for (Iterator<String> it = modelsNode.fieldNames(); it.hasNext(); ) {
                String id = it.next();
                models.add(model(doc, id, "/models/" + YamlDocument.escape(id), modelsDir));
            }
        }
        String keyHash = null;
        if (root.has("api_key_sha256") && !root.get("api_key_sha256").isNull()) {
            keyHash = text(doc, "/api_key_sha256").toLowerCase(Locale.ROOT);
            if (!keyHash.matches("[0-9a-f]{64}")) {
                throw doc.error("/api_key_sha256", "must be the SHA-256 of the internal key as 64 hex digits (`./tailgate up` writes it)");
            }
        }
        return new LocalConfig(host, port, modelsDir, logsDir, budget, maxBody, grace, models, keyHash);
    }

    private ModelConfig model(YamlDocument doc, String id, String at, Path modelsDir) {
        if (id.isBlank() || !id.matches("[A-Za-z0-9._:/-]+")) {
            throw doc.error(at, "model id may use letters, digits and . _ : / - only");
        }
        JsonNode node = doc.at(at);
        if (!node.isObject()) throw doc.error(at, "must be a mapping with at least capability and engine");
        checkKeys(doc, at, MODEL_KEYS);
        if (!node.has("capability")) throw doc.error(at + "/capability", "is required (chat | embeddings | speech | transcription)");
        String capText = text(doc, at + "/capability");
        Capability capability;
        try {
            capability = Capability.valueOf(capText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw doc.error(at + "/capability", "must be chat | embeddings | speech | transcription (got '" + capText + "')");
        }
        if (!node.has("engine")) throw doc.error(at + "/engine", "is required (one of " + String.join(", ", sorted(knownEngines)) + ")");
        String engine = text(doc, at + "/engine");
        if (!knownEngines.isEmpty() && !knownEngines.contains(engine)) {
            throw doc.error(at + "/engine", "unknown engine '" + engine + "' (known: " + String.join(", ", sorted(knownEngines)) + ")");
        }
        Set<Capability> serves = engines.get(engine);
        if (serves != null && !serves.contains(capability)) {
            throw doc.error(at + "/engine", "engine '" + engine + "' cannot serve " + capability.wireName() + " (it serves "
                    + String.join(", ", serves.stream().map(Capability::wireName).sorted().toList()) + ")");
        }
        Path file = null;
        if (node.has("file")) {
            file = expandHome(text(doc, at + "/file"));
            if (!file.isAbsolute()) file = modelsDir.resolve(file);
            file = file.normalize();
        }
        String source = node.has("source") ? text(doc, at + "/source") : null;
        int context = node.has("context") ? integer(doc, at + "/context", 1) : 4096;
        int threads = node.has("threads") ? integer(doc, at + "/threads", 1)
                : Math.max(1, Runtime.getRuntime().availableProcessors());
        int maxConcurrency = node.has("max_concurrency") ? integer(doc, at + "/max_concurrency", 1) : ModelConfig.DEFAULT_MAX_CONCURRENCY;
        int maxQueue = node.has("max_queue") ? integer(doc, at + "/max_queue", 0) : ModelConfig.DEFAULT_MAX_QUEUE;
        Duration keepAlive = node.has("keep_alive") ? duration(doc, at + "/keep_alive") : ModelConfig.DEFAULT_KEEP_ALIVE;
        Duration stuckAfter = node.has("stuck_after") ? duration(doc, at + "/stuck_after") : ModelConfig.DEFAULT_STUCK_AFTER;
        if (stuckAfter.isZero()) throw doc.error(at + "/stuck_after", "must be larger than 0 (a job with no progress that long is stuck)");
        return new ModelConfig(id, capability, engine, file, source, context, threads, maxConcurrency, maxQueue, keepAlive, stuckAfter);
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    private static void checkKeys(YamlDocument doc, String at, Set<String> known) {
        for (Iterator<String> it = doc.at(at).fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw doc.error(at + "/" + YamlDocument.escape(k), "unknown key (known: " + String.join(", ", sorted(known)) + ")");
            }
        }
    }

    private static String text(YamlDocument doc, String at) {
        JsonNode v = doc.at(at);
        if (v.isMissingNode() || !v.isValueNode() || v.isNull() || v.asText().isBlank()) throw doc.error(at, "must be a non-empty value");
        return v.asText().trim();
    }

    private static int integer(YamlDocument doc, String at, int min) {
        JsonNode v = doc.at(at);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw doc.error(at, "must be a whole number (got '" + v.asText() + "')");
        }
        if (v.asInt() < min) throw doc.error(at, "must be at least " + min + " (got " + v.asInt() + ")");
        return v.asInt();
    }

    private static Duration duration(YamlDocument doc, String at) {
        try {
            return Durations.parse(text(doc, at));
        } catch (IllegalArgumentException e) {
            throw doc.error(at, e.getMessage());
        }
    }

    private static long size(YamlDocument doc, String at) {
        try {
            return ByteSizes.parse(text(doc, at));
        } catch (IllegalArgumentException e) {
            throw doc.error(at, e.getMessage());
        }
    }

    static Path expandHome(String p) {
        if (p.equals("~")) return Path.of(System.getProperty("user.home"));
        if (p.startsWith("~/")) return Path.of(System.getProperty("user.home"), p.substring(2));
        return Path.of(p);
    }

    /** Three quarters of physical memory: room for the OS and the service itself. */
    private static long defaultBudget() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / 4 * 3;
        }
        return 8L * 1024 * 1024 * 1024;
    }
}
