package dev.tailgate.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.ByteSizes;
import dev.tailgate.wire.Durations;
import dev.tailgate.wire.config.ConfigException;
import dev.tailgate.wire.config.YamlDocument;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates the gateway YAML (every key: docs/gateway-config.md) plus the optional clients file. Every refusal names the file,
 * line and key. Unknown keys are refused too (a typo such as {@code bse_url} would otherwise silently fall back to a
 * default). Secrets go through the {@link SecretResolver}; a provider or client whose secret cannot be resolved is
 * kept but disabled, with a warning, so one missing environment variable does not stop the whole gateway.
 */
public final class ConfigLoader {
    public static final int DEFAULT_MAX_CONCURRENCY = 32;
    public static final int DEFAULT_MAX_QUEUE = 128;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_BODY = 10L * 1024 * 1024;
    /** Room for a dozen bodies of the default max_body at once; see limit.BodyBudget. */
    public static final long DEFAULT_BODY_BUDGET = 128L * 1024 * 1024;
    public static final long DEFAULT_MAX_RESPONSE = 64L * 1024 * 1024;
    public static final Duration DEFAULT_CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private final SecretResolver secrets;

    public ConfigLoader(SecretResolver secrets) {
        this.secrets = secrets;
    }

    public GatewayConfig load(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        YamlDocument doc = YamlDocument.parse(abs.getFileName().toString(), read(abs));
        Path dir = abs.getParent();
        List<String> warnings = new ArrayList<>();
        requireObject(doc, "");
        checkKeys(doc, "", ConfigKeys.TOP);

        String host = "127.0.0.1";
        int port = 8080;
        JsonNode listen = doc.at("/listen");
        if (!listen.isMissingNode()) {
            String l = text(doc, "/listen");
            int colon = l.lastIndexOf(':');
            if (colon < 0) throw doc.error("/listen", "'" + l + "' must be HOST:PORT, e.g. 127.0.0.1:8080");
            host = l.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1); // [::1]:8080
            if (host.isEmpty()) throw doc.error("/listen", "'" + l + "' needs a host, e.g. 127.0.0.1:8080");
            try {
                port = Integer.parseInt(l.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw doc.error("/listen", "'" + l + "' must be HOST:PORT, e.g. 127.0.0.1:8080");
            }
            if (port < 0 || port > 65535) throw doc.error("/listen", "port " + port + " is out of range");
        }
        long maxBody = doc.at("/max_body").isMissingNode() ? DEFAULT_MAX_BODY : size(doc, "/max_body");
        long bodyBudget = doc.at("/body_budget").isMissingNode() ? Math.max(DEFAULT_BODY_BUDGET, maxBody) : size(doc, "/body_budget");
        if (bodyBudget < maxBody) {
            throw doc.error("/body_budget", "body_budget (" + bodyBudget + " bytes) must be at least max_body (" + maxBody + " bytes)");
        }
        boolean logPrompts = bool(doc, "/log_prompts", false);
        long maxResponse = doc.at("/max_response").isMissingNode() ? DEFAULT_MAX_RESPONSE : size(doc, "/max_response");
        Duration clientTimeout = duration(doc, "/client_timeout", DEFAULT_CLIENT_TIMEOUT);

        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        if (!doc.at("/providers").isMissingNode()) {
            requireObject(doc, "/providers");
            for (Iterator<String> it = doc.at("/providers").fieldNames(); it.hasNext(); ) {
                String name = it.next();
                providers.put(name, provider(doc, "/providers/" + YamlDocument.escape(name), name, dir, warnings, maxResponse));
            }
        }
        Map<String, ModelRoute> models = new LinkedHashMap<>();
        if (!doc.at("/models").isMissingNode()) {
            requireObject(doc, "/models");
            for (Iterator<String> it = doc.at("/models").fieldNames(); it.hasNext(); ) {
                String alias = it.next();
                models.put(alias, model(doc, "/models/" + YamlDocument.escape(alias), alias, providers));
            }
        }
        Map<String, ClientConfig> clients = new LinkedHashMap<>();
        readClients(doc, dir, clients, warnings);
        checkPolicySections(doc);

        Path clientsFile = null;
        if (!doc.at("/clients_file").isMissingNode()) {
            clientsFile = dir.resolve(text(doc, "/clients_file")).normalize();
            if (!Files.exists(clientsFile)) throw doc.error("/clients_file", "file " + clientsFile + " does not exist");
        } else if (Files.exists(dir.resolve("clients.yaml")) && !dir.resolve("clients.yaml").equals(abs)) {
            clientsFile = dir.resolve("clients.yaml");
        }
        YamlDocument cdoc = null;
        if (clientsFile != null) {
            cdoc = YamlDocument.parse(clientsFile.getFileName().toString(), read(clientsFile));
            requireObject(cdoc, "");
            checkKeys(cdoc, "", ConfigKeys.CLIENTS_FILE);
            readClients(cdoc, clientsFile.getParent(), clients, warnings);
        }
        return new GatewayConfig(abs, clientsFile, host, port, maxBody, bodyBudget, clientTimeout, logPrompts, Map.copyOf(providers),
                java.util.Collections.unmodifiableMap(models), java.util.Collections.unmodifiableMap(clients), List.copyOf(warnings),
                doc, cdoc, corsOrigins(doc));
    }

    /**
     * {@code health:} and each {@code pricing.MODEL:} hold only their known keys; their values are read by the routing
     * policy ({@code policy.PolicySettings}), but an unknown key is refused here like anywhere else.
     */
    private static void checkPolicySections(YamlDocument doc) {
        if (doc.at("/health").isObject()) checkKeys(doc, "/health", ConfigKeys.HEALTH);
        JsonNode pricing = doc.at("/pricing");
        if (!pricing.isObject()) return;
        for (Iterator<String> it = pricing.fieldNames(); it.hasNext(); ) {
            String at = "/pricing/" + YamlDocument.escape(it.next());
            if (doc.at(at).isObject()) checkKeys(doc, at, ConfigKeys.PRICE);
        }
    }

    /** Each entry is an origin as browsers send it: scheme://host[:port], no path, no wildcard. */
    private static List<String> corsOrigins(YamlDocument doc) {
        JsonNode n = doc.at("/cors_origins");
        if (n.isMissingNode() || n.isNull()) return List.of();
        if (!n.isArray()) throw doc.error("/cors_origins", "must be a list of origins, e.g. [\"https://app.example.com\"]");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String at = "/cors_origins/" + i;
            String o = text(doc, at).trim();
            if (!o.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+") || o.endsWith(":")) {
                throw doc.error(at, "'" + o + "' must be an origin such as https://app.example.com or http://localhost:5173"
                        + " (scheme, host and port only; each origin listed, no wildcard)");
            }
            out.add(o.toLowerCase(java.util.Locale.ROOT));
        }
        return List.copyOf(out);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(p + ": cannot read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private ProviderConfig provider(YamlDocument doc, String at, String name, Path dir, List<String> warnings, long maxResponse) {
        requireObject(doc, at);
        checkKeys(doc, at, ConfigKeys.PROVIDER);
        String base = text(doc, at + "/base_url");
        URI url;
        try {
            url = URI.create(base);
        } catch (IllegalArgumentException e) {
            throw doc.error(at + "/base_url", "'" + base + "' is not a URL");
        }
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https")) || url.getHost() == null) {
            throw doc.error(at + "/base_url", "'" + base + "' must be an http:// or https:// URL, e.g. http://127.0.0.1:8081/v1");
        }
        Secret key = null;
        String keyProblem = null;
        if (!doc.at(at + "/api_key").isMissingNode() && !doc.at(at + "/api_key").isNull()) {
            String spec = text(doc, at + "/api_key");
            if (!SecretResolver.isReference(spec)) {
                throw doc.error(at + "/api_key", "must be env:NAME or file:PATH (a literal key in the config file is refused)");
            }
            try {
                key = secrets.resolve(spec, dir);
            } catch (SecretResolver.SecretException e) {
                keyProblem = "api_key " + e.getMessage();
                warnings.add("provider '" + name + "' is disabled: " + keyProblem);
            }
        }
        Duration timeout = duration(doc, at + "/timeout", DEFAULT_TIMEOUT);
        return new ProviderConfig(name, url, key, keyProblem, bool(doc, at + "/local", false),
                positiveInt(doc, at + "/max_concurrency", DEFAULT_MAX_CONCURRENCY, 1),
                positiveInt(doc, at + "/max_queue", DEFAULT_MAX_QUEUE, 0), duration(doc, at + "/queue_timeout", DEFAULT_QUEUE_TIMEOUT),
                timeout,
                duration(doc, at + "/first_token_timeout", timeout), duration(doc, at + "/idle_timeout", timeout),
                bool(doc, at + "/responses_api", false),
                bool(doc, at + "/messages_api", false),
                doc.at(at + "/max_response").isMissingNode() ? maxResponse : size(doc, at + "/max_response"));
    }

    /**
     * A model and its targets, with what routing needs of each (the provider's {@code local} flag, the model's
     * {@code capability}, the target's entry in {@code context_windows}): built here once, never per request.
     */
    private static ModelRoute model(YamlDocument doc, String at, String alias, Map<String, ProviderConfig> providers) {
        requireObject(doc, at);
        checkKeys(doc, at, ConfigKeys.MODEL);
        JsonNode targets = doc.at(at + "/targets");
        if (targets.isMissingNode()) throw doc.error(at, "needs 'targets: [provider/model, ...]'");
        if (targets.isTextual()) throw doc.error(at + "/targets", "must be a list, e.g. [" + targets.asText() + "]");
        if (!targets.isArray() || targets.isEmpty()) throw doc.error(at + "/targets", "must be a non-empty list of provider/model");
        Set<Capability> capabilities = capability(doc, at + "/capability");
        JsonNode contexts = doc.at(at + "/context_windows");
        if (!contexts.isMissingNode() && !contexts.isNull() && !contexts.isObject()) {
            throw doc.error(at + "/context_windows", "must be a mapping of provider/model: tokens");
        }
        List<String> specs = new ArrayList<>();
        List<Target> list = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            String tp = at + "/targets/" + i;
            String t = text(doc, tp);
            int slash = t.indexOf('/');
            if (slash <= 0 || slash == t.length() - 1) throw doc.error(tp, "'" + t + "' must be provider/upstream-model");
            String provider = t.substring(0, slash);
            if (!providers.containsKey(provider)) {
                throw doc.error(tp, "unknown provider '" + provider + "' (known: " + String.join(", ", providers.keySet()) + ")");
            }
            Integer context = contexts.has(t) ? contextWindow(doc, at + "/context_windows/" + YamlDocument.escape(t)) : null;
            specs.add(t);
            list.add(new Target(provider, t.substring(slash + 1), providers.get(provider).local(), context, capabilities));
        }
        for (Iterator<String> it = contexts.fieldNames(); it.hasNext(); ) {
            String k = it.next(); // a window for a target the model does not have is a typo, not something to ignore
            if (!specs.contains(k)) {
                throw doc.error(at + "/context_windows/" + YamlDocument.escape(k), "'" + k + "' is not one of this model's targets ("
                        + String.join(", ", specs) + ")");
            }
        }
        return new ModelRoute(alias, list, bool(doc, at + "/fallback", false), bool(doc, at + "/private", false));
    }

    /** A model's {@code capability}; unset = unknown (empty), never a reason to skip a target. */
    private static Set<Capability> capability(YamlDocument doc, String at) {
        JsonNode n = doc.at(at);
        if (n.isMissingNode() || n.isNull()) return Set.of();
        try {
            return Set.of(Capability.parse(text(doc, at)));
        } catch (IllegalArgumentException e) {
            throw doc.error(at, e.getMessage());
        }
    }

    /** A context window in tokens: a whole number of at least 1 (hosted models reach millions). */
    private static int contextWindow(YamlDocument doc, String at) {
        JsonNode n = doc.at(at);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw doc.error(at, "must be a whole number of tokens");
        if (n.asInt() < 1) throw doc.error(at, "must be at least 1");
        return n.asInt();
    }

    private void readClients(YamlDocument doc, Path dir, Map<String, ClientConfig> into, List<String> warnings) {
        if (doc.at("/clients").isMissingNode() || doc.at("/clients").isNull()) return;
        requireObject(doc, "/clients");
        for (Iterator<String> it = doc.at("/clients").fieldNames(); it.hasNext(); ) {
            String name = it.next();
            String at = "/clients/" + YamlDocument.escape(name);
            if (into.containsKey(name)) throw doc.error(at, "client '" + name + "' is defined twice (config and clients file)");
            requireObject(doc, at);
            checkKeys(doc, at, ConfigKeys.CLIENT);
            boolean hasKey = !doc.at(at + "/key").isMissingNode();
            boolean hasHash = !doc.at(at + "/key_sha256").isMissingNode();
            if (hasKey == hasHash) throw doc.error(at, "needs exactly one of 'key: env:NAME|file:PATH' or 'key_sha256: <hex>'");
            byte[] hash = null;
            String problem = null;
            if (hasHash) {
                String hex = text(doc, at + "/key_sha256").trim();
                if (!hex.matches("(?i)[0-9a-f]{64}")) throw doc.error(at + "/key_sha256", "must be 64 hex digits (a SHA-256)");
                hash = HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT));
            } else {
                String spec = text(doc, at + "/key");
                if (!SecretResolver.isReference(spec)) {
                    throw doc.error(at + "/key", "must be env:NAME or file:PATH, or use key_sha256 (a literal key in the config file is refused)");
                }
                try {
                    hash = sha256(secrets.resolve(spec, dir).reveal());
                } catch (SecretResolver.SecretException e) {
                    problem = "key " + e.getMessage();
                    warnings.add("client '" + name + "' is disabled: " + problem);
                }
            }
            List<String> models = new ArrayList<>();
            JsonNode m = doc.at(at + "/models");
            if (m.isMissingNode()) models.add("*");
            else if (!m.isArray()) throw doc.error(at + "/models", "must be a list of model ids or globs, e.g. [\"*\"]");
            else for (int i = 0; i < m.size(); i++) models.add(text(doc, at + "/models/" + i));
            into.put(name, new ClientConfig(name, hash, problem, bool(doc, at + "/private", false), List.copyOf(models),
                    bool(doc, at + "/admin", false)));
        }
    }

    /**
     * One SHA-256 instance to copy: every request hashes its key, and {@code MessageDigest.getInstance} (a provider
     * lookup) was most of that hash's cost; a clone of a fresh instance is independent and cheap.
     */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sha256(String key) {
        MessageDigest md;
        try {
            md = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e); // the JDK's SHA-256 supports clone
        }
        return md.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    // --- typed reads that fail with file, line and key --------------------------------------------------------------

    private static void requireObject(YamlDocument doc, String at) {
        if (!doc.at(at).isObject()) throw doc.error(at.isEmpty() ? "/" : at, "must be a mapping of keys");
    }

    private static void checkKeys(YamlDocument doc, String at, Set<String> known) {
        for (Iterator<String> it = doc.at(at).fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw doc.error(at + "/" + YamlDocument.escape(k), "unknown key (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private static String text(YamlDocument doc, String at) {
        JsonNode n = doc.at(at);
        if (n.isMissingNode() || n.isNull()) throw doc.error(at, "is required");
        if (!n.isValueNode() || n.isBoolean()) throw doc.error(at, "must be a string");
        return n.asText();
    }

    private static boolean bool(YamlDocument doc, String at, boolean dflt) {
        JsonNode n = doc.at(at);
        if (n.isMissingNode() || n.isNull()) return dflt;
        if (!n.isBoolean()) throw doc.error(at, "must be true or false");
        return n.booleanValue();
    }

    private static int positiveInt(YamlDocument doc, String at, int dflt, int min) {
        JsonNode n = doc.at(at);
        if (n.isMissingNode() || n.isNull()) return dflt;
        if (!n.isIntegralNumber() || n.asLong() < min || n.asLong() > 1_000_000) {
            throw doc.error(at, "must be a whole number >= " + min);
        }
        return n.asInt();
    }

    private static Duration duration(YamlDocument doc, String at, Duration dflt) {
        JsonNode n = doc.at(at);
        if (n.isMissingNode() || n.isNull()) return dflt;
        try {
            Duration d = Durations.parse(n.asText());
            if (d.isZero()) throw doc.error(at, "must be more than 0");
            return d;
        } catch (IllegalArgumentException e) {
            throw doc.error(at, e.getMessage());
        }
    }

    private static long size(YamlDocument doc, String at) {
        try {
            return ByteSizes.parse(doc.at(at).asText());
        } catch (IllegalArgumentException e) {
            throw doc.error(at, e.getMessage());
        }
    }
}
