package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.config.SecretResolver;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@code tailgate up} ties its gateway to the qwen-local it starts, so that a second instance on other ports can
 * never serve (or be served by) the first one's qwen-local:
 * <ul>
 * <li>The internal key: {@code <home>/local.key} (mode 600) holds it, local.yaml's {@code api_key_sha256} its hash;
 *     qwen-local refuses every request without it but {@code /health}.</li>
 * <li>The link: a gateway provider whose {@code base_url} is a loopback URL on local.yaml's {@code listen} port means
 *     "this home's qwen-local"; at start and on every reload it is pointed at the port qwen-local actually bound
 *     (after {@code --local-port}) and given the key through the {@code file:} secret mechanism. A provider named
 *     {@code local} on loopback with another port is a mismatch: {@code up} refuses it, naming both files.</li>
 * </ul>
 */
final class LocalServiceLink {
    static final String KEY_FILE = "local.key";
    private static final Pattern HASH_LINE = Pattern.compile("(?m)^api_key_sha256:.*$");
    private static final Pattern LISTEN_LINE = Pattern.compile("(?m)^listen:.*$");
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0");

    private final Path home;

    LocalServiceLink(Path home) {
        this.home = home;
    }

    Path keyFile() {
        return home.resolve(KEY_FILE);
    }

    /**
     * Makes sure the key file and local.yaml's hash agree, generating a new key when either is missing or they differ.
     * Returns true when it wrote a new key.
     */
    boolean ensureKey() {
        Path local = home.resolve(DefaultConfigs.LOCAL);
        try {
            String yaml = Files.readString(local, StandardCharsets.UTF_8);
            String stored = storedHash(local);
            String key = Files.isRegularFile(keyFile()) ? Files.readString(keyFile(), StandardCharsets.UTF_8).trim() : "";
            if (stored != null && !key.isEmpty() && ClientKey.matches(key, stored)) return false;
            key = ClientKey.generate(new SecureRandom());
            writeKey(key);
            String line = "api_key_sha256: " + ClientKey.sha256Hex(key)
                    + "   # SHA-256 of the internal key in local.key (written by tailgate up; the gateway sends the key)";
            Matcher m = HASH_LINE.matcher(yaml);
            String updated;
            if (m.find()) {
                updated = m.replaceFirst(Matcher.quoteReplacement(line));
            } else {
                Matcher listen = LISTEN_LINE.matcher(yaml);
                // a top-level key next to listen: (appending could land inside the models mapping's last block)
                updated = listen.find()
                        ? yaml.substring(0, listen.end()) + "\n" + line + yaml.substring(listen.end())
                        : line + "\n" + yaml;
            }
            AtomicFiles.write(local, updated);
            return true;
        } catch (IOException e) {
            throw new UserError("cannot set up qwen-local's internal key in " + home + ": " + e.getMessage());
        }
    }

    private void writeKey(String key) throws IOException {
        AtomicFiles.write(keyFile(), key + "\n");
        try {
            Files.setPosixFilePermissions(keyFile(), PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the home folder's own protection applies
        }
    }

    private static String storedHash(Path local) throws IOException {
        JsonNode root = ClientsFile.YAML.readTree(local.toFile());
        JsonNode h = root == null ? null : root.get("api_key_sha256");
        return h != null && h.isTextual() ? h.asText() : null;
    }

    /** The plain internal key, for the CLI's own calls to qwen-local; null when this home has none. */
    static String readKey(Path home) {
        try {
            Path f = home.resolve(KEY_FILE);
            return Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** local.yaml's configured listen port (before any --local-port). */
    int configuredLocalPort() {
        return HomeAddresses.port(HomeAddresses.listen(home.resolve(DefaultConfigs.LOCAL), HomeAddresses.DEFAULT_LOCAL_LISTEN));
    }

    /** Refuses a provider {@code local} that points at another port than local.yaml's listen. */
    void checkMatches() {
        Path gatewayFile = home.resolve(DefaultConfigs.GATEWAY);
        JsonNode root;
        try {
            root = ClientsFile.YAML.readTree(gatewayFile.toFile());
        } catch (IOException e) {
            return; // the gateway names its own config errors when it starts
        }
        JsonNode base = root == null ? null : root.path("providers").path("local").get("base_url");
        if (base == null || !base.isTextual()) return;
        URI uri;
        try {
            uri = URI.create(base.asText().trim());
        } catch (IllegalArgumentException e) {
            return;
        }
        int localPort = configuredLocalPort();
        if (isLoopback(uri) && uri.getPort() != localPort) {
            throw new UserError(gatewayFile + " has providers.local.base_url " + base.asText().trim() + " but "
                    + home.resolve(DefaultConfigs.LOCAL) + " has listen port " + localPort
                    + ": make them the same port (or keep both at the default and use tailgate up --local-port N)");
        }
    }

    /** The gateway config as {@code up} runs it: linked providers at {@code actualPort} with the internal key. */
    UnaryOperator<GatewayConfig> adjust(int actualPort) {
        int configured = configuredLocalPort();
        Path key = keyFile();
        return c -> {
            Map<String, ProviderConfig> providers = new LinkedHashMap<>();
            boolean changed = false;
            for (Map.Entry<String, ProviderConfig> e : c.providers().entrySet()) {
                ProviderConfig p = e.getValue();
                if (p.baseUrl() != null && isLoopback(p.baseUrl()) && p.baseUrl().getPort() == configured) {
                    URI moved = URI.create("http://127.0.0.1:" + actualPort + p.baseUrl().getRawPath());
                    var secret = new SecretResolver(Map.of()).resolve("file:" + key, null);
                    p = new ProviderConfig(p.name(), moved, secret, null, p.local(), p.maxConcurrency(), p.maxQueue(),
                            p.queueTimeout(), p.timeout(), p.firstTokenTimeout(), p.idleTimeout(), p.responsesApi(),
                            p.messagesApi(), p.maxResponse());
                    changed = true;
                }
                providers.put(e.getKey(), p);
            }
            if (!changed) return c;
            return c.withProviders(providers);
        };
    }

    private static boolean isLoopback(URI uri) {
        return uri.getHost() != null && LOOPBACK.contains(uri.getHost()) && uri.getPort() > 0;
    }
}
