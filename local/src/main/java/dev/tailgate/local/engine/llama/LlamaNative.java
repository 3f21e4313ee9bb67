package dev.tailgate.local.engine.llama;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.LogLevel;
import de.kherud.llama.args.LogFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One place that prepares java-llama.cpp's native library before its first use.
 *
 * <p>Left alone, the library (4.2.0) deletes every {@code jllama*}/{@code llama*} file in the temp folder and unpacks a
 * fresh 5 MB {@code libjllama.so} there on every JVM start — racing with every other worker doing the same — and its
 * native code logs to stdout. So: we unpack the library once into a content-addressed folder and point
 * {@code de.kherud.llama.lib.path} at it, give the library's own clean-up an empty private temp folder, and route
 * native logs to SLF4J (warnings and errors only).
 */
public final class LlamaNative {
    public static final String LIB_PATH_PROPERTY = "de.kherud.llama.lib.path";
    public static final String TMPDIR_PROPERTY = "de.kherud.llama.tmpdir";
    private static final Logger log = LoggerFactory.getLogger("llama.cpp");
    private static volatile boolean ready;

    private LlamaNative() {}

    /** Idempotent; call before touching any {@code de.kherud.llama} class. */
    public static synchronized void prepare() {
        if (ready) return;
        try {
            Path base = Path.of(System.getProperty("java.io.tmpdir"), "tailgate-natives");
            if (System.getProperty(LIB_PATH_PROPERTY) == null) {
                System.setProperty(LIB_PATH_PROPERTY, unpackLibrary(base).toString());
            }
            if (System.getProperty(TMPDIR_PROPERTY) == null) {
                Path scratch = Files.createDirectories(base.resolve("scratch"));
                System.setProperty(TMPDIR_PROPERTY, scratch.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the llama.cpp native library: " + e.getMessage(), e);
        }
        LlamaModel.setLogger(LogFormat.TEXT, LlamaNative::forward);
        ready = true;
    }

    /** The folder holding libjllama.so for this platform, unpacked once per library content. */
    public static Path unpackLibrary(Path base) throws IOException {
        String resource = "/de/kherud/llama/" + platformFolder() + "/" + System.mapLibraryName("jllama");
        byte[] bytes;
        try (InputStream in = LlamaModel.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("java-llama.cpp has no native library for " + platformFolder());
            bytes = in.readAllBytes();
        }
        Path dir = base.resolve("jllama-" + sha256(bytes).substring(0, 16));
        Path lib = dir.resolve(System.mapLibraryName("jllama"));
        if (Files.isRegularFile(lib) && Files.size(lib) == bytes.length) return dir;
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "unpack", ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    private static String platformFolder() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String osName = os.contains("linux") ? "Linux" : os.contains("mac") ? "Mac" : os.contains("win") ? "Windows" : os;
        String archName = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return osName + "/" + archName;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void forward(LogLevel level, String message) {
        // Called from native threads: never throw. Prompts can appear in debug lines, so only warnings/errors pass.
        try {
            String line = message.strip();
            if (line.isEmpty()) return;
            if (level == LogLevel.ERROR) log.warn("{}", line);
            else if (level == LogLevel.WARN) log.debug("{}", line);
        } catch (Throwable ignored) {
            // logging must never break generation
        }
    }
}
