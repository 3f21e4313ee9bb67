package dev.tailgate.gateway.auth;

import dev.tailgate.gateway.config.ClientConfig;
import dev.tailgate.gateway.config.ConfigLoader;
import io.vertx.core.MultiMap;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * Client-key check: the presented key is hashed (SHA-256) and compared with every stored hash using
 * {@link MessageDigest#isEqual} (constant time), without stopping at the first match, so timing reveals neither
 * the key nor which client it belongs to. Only hashes are held in memory.
 */
public final class Authenticator {
    private record Entry(byte[] hash, Caller caller) {}

    private final List<Entry> entries;

    public Authenticator(Map<String, ClientConfig> clients) {
        this.entries = clients.values().stream()
                .filter(c -> c.keySha256() != null)
                .map(c -> new Entry(c.keySha256(), new Caller(c.name(), c.privateOnly(), c.models(), c.admin())))
                .toList();
    }

    /**
     * The key from {@code Authorization: Bearer <key>}, {@code api-key: <key>} (Azure-style clients) or
     * {@code x-api-key: <key>} (Anthropic SDKs, Claude Code with {@code ANTHROPIC_API_KEY}); null when none is present.
     */
    public static String presentedKey(MultiMap headers) {
        String auth = headers.get("Authorization");
        if (auth != null) {
            String a = auth.trim();
            if (a.regionMatches(true, 0, "Bearer ", 0, 7)) return a.substring(7).trim();
        }
        String k = headers.get("api-key");
        if (k == null) k = headers.get("x-api-key");
        return k == null ? null : k.trim();
    }

    /** The caller owning {@code key}, or null. */
    public Caller authenticate(String key) {
        if (key == null || key.isEmpty()) return null;
        byte[] h = ConfigLoader.sha256(key);
        Caller found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(h, e.hash) && found == null) found = e.caller;
        }
        return found;
    }
}
