package dev.tailgate.app;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Client keys: {@code tg-} + 32 random bytes in base64url (no padding). Only {@link #sha256Hex} of a key is ever
 * stored; the gateway hashes the presented bearer token the same way (SHA-256 of its UTF-8 bytes, lowercase hex).
 */
public final class ClientKey {
    public static final String PREFIX = "tg-";
    private static final int RANDOM_BYTES = 32;

    private ClientKey() {}

    public static String generate(SecureRandom random) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    /** Constant-time comparison of a presented key with a stored hash. */
    public static boolean matches(String key, String storedHex) {
        byte[] stored;
        try {
            stored = HexFormat.of().parseHex(storedHex.trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(sha256(key), stored);
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
