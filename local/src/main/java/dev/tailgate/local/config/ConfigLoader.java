package dev.tailgate.local.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tailgate.local.engine.ModelSpec.Capability;
import dev.tailgate.wire.ByteSizes;
import dev.tailgate.wire.Durations;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates the qwen-local YAML. Every error names the key and, when the YAML parser knows it, the line,
 * so that a user can fix the file without reading code.
 */
public final class ConfigLoader {
    private static final Set<String> TOP_KEYS = Set.of("listen", "models_dir", "logs_dir", "memory_budget", "max_request_bytes",
            "shutdown_grace", "models", "api_key_sha256");
    private static final Set<String> MODEL_KEYS = Set.of("capability", "engine", "file", "source", "context", "threads",
            "max_concurrency", "max_queue", "keep_alive", "stuck_after");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, Set<Capability>> engines;
    private final Set<String> knownEngines;
    private String fileName = "config";
    private Map<String, Integer> lines = Map.of();

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

    public LocalConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        fileName = file.toString();
        Path base = file.toAbsolutePath().getParent();
        return parse(text, base);
    }

    /** {@code baseDir}: where a relative {@code models_dir} is resolved (the config file's folder). */
    public LocalConfig parse(String yaml, Path baseDir) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
            lines = keyLines(yaml);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new ConfigException(fileName + ": not valid YAML: " + msg, e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) root = YAML.createObjectNode();
        if (!root.isObject()) throw error("", "the file must be a mapping of keys (listen, models_dir, memory_budget, models)");
        checkKeys(root, "", TOP_KEYS);

        String host = LocalConfig.DEFAULT_HOST;
        int port = LocalConfig.DEFAULT_PORT;
        if (root.has("listen")) {
            String listen = text(root, "listen");
            int colon = listen.lastIndexOf(':');
            if (colon <= 0) throw error("listen", "must be HOST:PORT, e.g. 127.0.0.1:8081 (got '" + listen + "')");
            host = listen.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1); // [::1]:8081
            try {
                port = Integer.parseInt(listen.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) throw error("listen", "port must be 0-65535 (got '" + listen + "')");
        }
        Path modelsDir = expandHome(root.has("models_dir") ? text(root, "models_dir") : "~/.tailgate/models");
        if (!modelsDir.isAbsolute()) modelsDir = (baseDir != null ? baseDir : Path.of("")).resolve(modelsDir).toAbsolutePath();
        Path logsDir = root.has("logs_dir") ? expandHome(text(root, "logs_dir")) : modelsDir.resolveSibling("logs");
        if (!logsDir.isAbsolute()) logsDir = (baseDir != null ? baseDir : Path.of("")).resolve(logsDir).toAbsolutePath();
        long budget = root.has("memory_budget") ? size(root, "memory_budget") : defaultBudget();
        if (budget <= 0) throw error("memory_budget", "must be larger than 0");
        long maxBody = root.has("max_request_bytes") ? size(root, "max_request_bytes") : LocalConfig.DEFAULT_MAX_REQUEST_BYTES;
        Duration grace = root.has("shutdown_grace") ? duration(root, "shutdown_grace") : LocalConfig.DEFAULT_SHUTDOWN_GRACE;

        List<ModelConfig> models = new ArrayList<>();
        JsonNode modelsNode = root.get("models");
        if (modelsNode != null && !modelsNode.isNull()) {
            if (!modelsNode.isObject()) throw error("models", "must be a mapping of model id to its settings");
            for (Iterator<Map.Entry<String, JsonNode>> it = modelsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                models.add(model(e.getKey(), e.getValue(), modelsDir));
            }
        }
        String keyHash = null;
        if (root.has("api_key_sha256") && !root.get("api_key_sha256").isNull()) {
            keyHash = text(root, "api_key_sha256").toLowerCase(Locale.ROOT);
            if (!keyHash.matches("[0-9a-f]{64}")) {
                throw error("api_key_sha256", "must be the SHA-256 of the internal key as 64 hex digits (`./tailgate up` writes it)");
            }
        }
        return new LocalConfig(host, port, modelsDir, logsDir, budget, maxBody, grace, models, keyHash);
    }

    private ModelConfig model(String id, JsonNode node, Path modelsDir) throws ConfigException {
        String at = "models." + id;
        if (id.isBlank() || !id.matches("[A-Za-z0-9._:/-]+")) {
            throw error(at, "model id may use letters, digits and . _ : / - only");
        }
        if (node == null || !node.isObject()) throw error(at, "must be a mapping with at least capability and engine");
        checkKeys(node, at, MODEL_KEYS);
        if (!node.has("capability")) throw error(at + ".capability", "is required (chat | embeddings | speech | transcription)");
        String capText = text(node, at, "capability");
        Capability capability;
        try {
            capability = Capability.valueOf(capText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(at + ".capability", "must be chat | embeddings | speech | transcription (got '" + capText + "')");
        }
        if (!node.has("engine")) throw error(at + ".engine", "is required (one of " + String.join(", ", sorted(knownEngines)) + ")");
        String engine = text(node, at, "engine");
        if (!knownEngines.isEmpty() && !knownEngines.contains(engine)) {
            throw error(at + ".engine", "unknown engine '" + engine + "' (known: " + String.join(", ", sorted(knownEngines)) + ")");
        }
        Set<Capability> serves = engines.get(engine);
        if (serves != null && !serves.contains(capability)) {
            throw error(at + ".engine", "engine '" + engine + "' cannot serve " + capability.wireName() + " (it serves "
                    + String.join(", ", serves.stream().map(Capability::wireName).sorted().toList()) + ")");
        }
        Path file = null;
        if (node.has("file")) {
            file = expandHome(text(node, at, "file"));
            if (!file.isAbsolute()) file = modelsDir.resolve(file);
            file = file.normalize();
        }
        String source = node.has("source") ? text(node, at, "source") : null;
        int context = node.has("context") ? integer(node, at, "context", 1) : 4096;
        int threads = node.has("threads") ? integer(node, at, "threads", 1)
                : Math.max(1, Runtime.getRuntime().availableProcessors());
        int maxConcurrency = node.has("max_concurrency") ? integer(node, at, "max_concurrency", 1) : ModelConfig.DEFAULT_MAX_CONCURRENCY;
        int maxQueue = node.has("max_queue") ? integer(node, at, "max_queue", 0) : ModelConfig.DEFAULT_MAX_QUEUE;
        Duration keepAlive = node.has("keep_alive") ? duration(node, at, "keep_alive") : ModelConfig.DEFAULT_KEEP_ALIVE;
        Duration stuckAfter = node.has("stuck_after") ? duration(node, at, "stuck_after") : ModelConfig.DEFAULT_STUCK_AFTER;
        if (stuckAfter.isZero()) throw error(at + ".stuck_after", "must be larger than 0 (a job with no progress that long is stuck)");
        return new ModelConfig(id, capability, engine, file, source, context, threads, maxConcurrency, maxQueue, keepAlive, stuckAfter);
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    private void checkKeys(JsonNode node, String at, Set<String> known) throws ConfigException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw error(at.isEmpty() ? k : at + "." + k, "unknown key (known: " + String.join(", ", sorted(known)) + ")");
            }
        }
    }

    private String text(JsonNode parent, String key) throws ConfigException {
        return text(parent, "", key);
    }

    private String text(JsonNode parent, String at, String key) throws ConfigException {
        JsonNode v = parent.get(key);
        String path = at.isEmpty() ? key : at + "." + key;
        if (v == null || !v.isValueNode() || v.isNull() || v.asText().isBlank()) throw error(path, "must be a non-empty value");
        return v.asText().trim();
    }

    private int integer(JsonNode parent, String at, String key, int min) throws ConfigException {
        JsonNode v = parent.get(key);
        String path = at + "." + key;
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw error(path, "must be a whole number (got '" + (v == null ? "" : v.asText()) + "')");
        }
        if (v.asInt() < min) throw error(path, "must be at least " + min + " (got " + v.asInt() + ")");
        return v.asInt();
    }

    private Duration duration(JsonNode parent, String key) throws ConfigException {
        return duration(parent, "", key);
    }

    private Duration duration(JsonNode parent, String at, String key) throws ConfigException {
        String path = at.isEmpty() ? key : at + "." + key;
        try {
            return Durations.parse(text(parent, at, key));
        } catch (IllegalArgumentException e) {
            throw error(path, e.getMessage());
        }
    }

    private long size(JsonNode parent, String key) throws ConfigException {
        try {
            return ByteSizes.parse(text(parent, key));
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    private ConfigException error(String key, String problem) {
        Integer line = lines.get(key);
        String where = fileName + (line != null ? " line " + line : "");
        return new ConfigException(where + ": " + (key.isEmpty() ? "" : key + ": ") + problem);
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

    /** Maps dotted key paths ("models.qwen.max_queue") to their 1-based line, by walking the YAML tokens. */
    private static Map<String, Integer> keyLines(String yaml) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        Deque<String> path = new ArrayDeque<>();
        String pendingKey = null;
        try (JsonParser p = YAML.getFactory().createParser(yaml)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> {
                        pendingKey = p.currentName();
                        String full = path.isEmpty() ? pendingKey : String.join(".", path.reversed()) + "." + pendingKey;
                        out.putIfAbsent(full, p.currentTokenLocation().getLineNr());
                    }
                    case START_OBJECT, START_ARRAY -> {
                        path.push(pendingKey == null ? "[]" : pendingKey);
                        pendingKey = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        if (!path.isEmpty()) path.pop();
                    }
                    default -> pendingKey = null;
                }
            }
        }
        // the root object pushed a "[]" sentinel (no key); strip it from the paths
        Map<String, Integer> clean = new HashMap<>();
        out.forEach((k, v) -> clean.put(k.startsWith("[].") ? k.substring(3) : k, v));
        return clean;
    }
}
