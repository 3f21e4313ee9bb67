package dev.tailgate.local.engine.whisper;

import dev.tailgate.local.engine.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The whisper.cpp libraries bundled in the whisper-jni 1.7.1 jar (libggml and libwhisper, built from whisper.cpp
 * v1.7.1), unpacked once per content into {@code <java.io.tmpdir>/tailgate-natives/whisper-<crc>/} under the names
 * libwhisper's dynamic section asks for, so its {@code $ORIGIN} run path finds libggml next to it. The jar's own JNI
 * wrapper (libwhisper-jni) is not used: we call libwhisper's C API through FFM.
 *
 * <p>The ggml build is chosen as whisper-jni chooses it: the AVX2/FMA/F16C one on x86-64 CPUs that have them, the
 * fp16 one on arm64 CPUs with half-precision arithmetic.
 */
final class WhisperNatives {
    /** A file to unpack: where it is in the jar, and the name it must have on disk. */
    record Library(String resource, String fileName) {}

    /** Libraries in load order (ggml first: libwhisper links against it). */
    record Bundle(String platform, List<Library> libraries) {
        Library whisper() {
            return libraries.getLast();
        }
    }

    private WhisperNatives() {}

    /** This machine's bundle, or why there is none. */
    static Bundle bundle() throws EngineException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        if (os.contains("linux") && x64) {
            boolean fast = cpuFlags().containsAll(List.of("avx", "avx2", "fma", "f16c"));
            return new Bundle("linux-x86_64", List.of(
                    new Library("/debian-amd64/" + (fast ? "libggml+mf16c+mfma+mavx+mavx2.so" : "libggml.so"), "libggml.so"),
                    new Library("/debian-amd64/libwhisper.so.1", "libwhisper.so.1")));
        }
        if (os.contains("linux") && arm64) {
            boolean fp16 = cpuFlags().contains("fphp");
            return new Bundle("linux-aarch64", List.of(
                    new Library("/debian-arm64/" + (fp16 ? "libggml+fp16.so" : "libggml+crc.so"), "libggml.so"),
                    new Library("/debian-arm64/libwhisper.so.1", "libwhisper.so.1")));
        }
        if ((os.contains("mac") || os.contains("darwin")) && (x64 || arm64)) {
            String dir = x64 ? "/macos-amd64/" : "/macos-arm64/";
            return new Bundle(x64 ? "macos-x86_64" : "macos-arm64", List.of(
                    new Library(dir + "libggml.dylib", "libggml.dylib"),
                    new Library(dir + "libwhisper.1.dylib", "libwhisper.1.dylib")));
        }
        throw new EngineException("whisper.cpp's libraries are bundled for Linux (x86-64, arm64) and macOS only, not "
                + System.getProperty("os.name") + " " + arch);
    }

    /** Unpacks the bundle (once per content) and answers the folder holding its files. */
    static Path unpack(Bundle bundle, Path base) throws IOException, EngineException {
        byte[][] contents = new byte[bundle.libraries().size()][];
        // a CRC names the folder (a new build gets a new one), it does not authenticate a file that is already there
        // (that is checked by size only): a SHA-256 would load the JDK's security providers, ~50 classes and their
        // properties, into every Whisper worker for nothing
        CRC32 digest = new CRC32();
        for (int i = 0; i < contents.length; i++) {
            Library lib = bundle.libraries().get(i);
            try (InputStream in = WhisperNatives.class.getResourceAsStream(lib.resource())) {
                if (in == null) throw new EngineException("whisper.cpp's library " + lib.resource() + " is not on the class path (whisper-jni 1.7.1's jar)");
                contents[i] = in.readAllBytes();
            }
            digest.update(contents[i]);
        }
        Path dir = base.resolve("whisper-" + HexFormat.of().toHexDigits((int) digest.getValue()));
        Files.createDirectories(dir);
        for (int i = 0; i < contents.length; i++) {
            Path file = dir.resolve(bundle.libraries().get(i).fileName());
            if (Files.isRegularFile(file) && Files.size(file) == contents[i].length) continue;
            // written aside and moved: workers starting together never load a half-written library
            Path tmp = Files.createTempFile(dir, "unpack", ".tmp");
            Files.write(tmp, contents[i]);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return dir;
    }

    private static List<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags") || line.startsWith("Features")) {
                    return List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // the portable build then
        }
        return List.of();
    }
}
