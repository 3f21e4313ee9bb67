package dev.tailgate.local.http;

import dev.tailgate.wire.ApiError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * qwen-local's internal key: {@code ./tailgate up} generates it, local.yaml keeps only its SHA-256, and the gateway's
 * local provider sends it. Without it anything on the machine could call the models and bypass the gateway's client
 * keys, budgets, rate limits and audit log.
 */
public final class InternalKey {
    /** No key configured: every request is let through (a standalone qwen-local the operator chose to run open). */
    public static final InternalKey OPEN = new InternalKey(null);

    private final byte[] sha256;

    private InternalKey(byte[] sha256) {
        this.sha256 = sha256;
    }

    /** From local.yaml's {@code api_key_sha256} (64 hex digits), or {@link #OPEN} when null. */
    public static InternalKey ofSha256Hex(String hex) {
        return hex == null ? OPEN : new InternalKey(HexFormat.of().parseHex(hex));
    }

    /** Whether an {@code Authorization} header value carries the key (compared in constant time, by hash). */
    public boolean allows(String authorization) {
        if (sha256 == null) return true;
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        return MessageDigest.isEqual(sha256, digest(authorization.substring(7).trim()));
    }

    /** 401 in the OpenAI shape, naming where the key lives but never any part of it. */
    public static ApiError refusal() {
        return new ApiError(401, "invalid_request_error", "invalid_api_key",
                "qwen-local needs its internal key: send 'Authorization: Bearer <key>' with the key from local.key in the"
                        + " tailgate home (the gateway sends it for you; call the gateway instead).", null, null);
    }

    static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
