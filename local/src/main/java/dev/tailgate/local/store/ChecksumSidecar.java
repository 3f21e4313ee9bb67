package dev.tailgate.local.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code <file>.sha256} next to each model file, in {@code sha256sum} format ({@code <hex>  <name>}) so
 * {@code sha256sum -c} can check it. Written at pull time; trusted only while it is not older than the file.
 */
public final class ChecksumSidecar {
    private ChecksumSidecar() {}

    public static Path sidecarFor(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    static void write(Path file, String sha256Hex) throws IOException {
        Path sidecar = sidecarFor(file);
        Path tmp = sidecar.resolveSibling(sidecar.getFileName() + ".tmp");
        Files.writeString(tmp, sha256Hex + "  " + file.getFileName() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, sidecar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The cached SHA-256 when the sidecar exists, parses, and is not older than the file. */
    public static Optional<String> readFresh(Path file) {
        Path sidecar = sidecarFor(file);
        try {
            if (!Files.isRegularFile(sidecar)) return Optional.empty();
            if (Files.getLastModifiedTime(sidecar).compareTo(Files.getLastModifiedTime(file)) < 0) return Optional.empty();
            String text = Files.readString(sidecar, StandardCharsets.UTF_8).strip();
            String hex = text.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
            return hex.matches("[0-9a-f]{64}") ? Optional.of(hex) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The SHA-256 of {@code file}: from a fresh sidecar, else computed (and then cached in a new sidecar). */
    public static String sha256(Path file) throws IOException {
        Optional<String> cached = readFresh(file);
        if (cached.isPresent()) return cached.get();
        String hex = compute(file, ExpectedChecksum.sha256());
        try {
            write(file, hex);
        } catch (IOException ignored) {
            // a read-only models dir still lists fine; the sum is just recomputed next time
        }
        return hex;
    }

    static String compute(Path file, MessageDigest digest) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
        }
        return ExpectedChecksum.hex(digest);
    }
}
