package dev.tailgate.local.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The checksum the hub publishes for a file. For LFS files (every model weight) {@code X-Linked-Etag} is the
 * SHA-256 of the content. Small files kept in git get a plain {@code ETag} that is the git blob id:
 * SHA-1 of {@code "blob <size>\0" + content}. Both can be checked while streaming.
 */
public record ExpectedChecksum(Algorithm algorithm, String hex) {
    public enum Algorithm { SHA256, GIT_BLOB_SHA1 }

    /** Normalises an ETag the way huggingface_hub does (drop {@code W/} and quotes) and recognises its kind. */
    public static Optional<ExpectedChecksum> fromEtag(String etag) {
        if (etag == null) return Optional.empty();
        String value = etag.strip();
        if (value.startsWith("W/")) value = value.substring(2);
        value = value.replace("\"", "").toLowerCase(Locale.ROOT);
        if (value.matches("[0-9a-f]{64}")) return Optional.of(new ExpectedChecksum(Algorithm.SHA256, value));
        if (value.matches("[0-9a-f]{40}")) return Optional.of(new ExpectedChecksum(Algorithm.GIT_BLOB_SHA1, value));
        return Optional.empty();
    }

    /** A digest primed for a file of {@code size} bytes (git blob ids hash a header first). */
    MessageDigest newDigest(long size) {
        try {
            if (algorithm == Algorithm.SHA256) return MessageDigest.getInstance("SHA-256");
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
            return sha1;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256 and SHA-1", e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    public String label() {
        return algorithm == Algorithm.SHA256 ? "sha256" : "git-sha1";
    }
}
