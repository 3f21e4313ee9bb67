package dev.tailgate.local.engine.server;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where llama.cpp's {@code llama-server} is, in this order: the {@code TAILGATE_LLAMA_SERVER} environment variable,
 * {@code llama-server} on the PATH, then {@code <home>/llama-server/bin/llama-server} (where {@code .ci/llama-server.sh}
 * installs it by default). The user installs it; we never download binaries.
 */
public final class LlamaServerBinary {
    public static final String ENV = "TAILGATE_LLAMA_SERVER";

    private LlamaServerBinary() {}

    /** The executable, if one is found. {@code home} is the Tailgate home (default {@code ~/.tailgate}). */
    public static Optional<Path> find(Map<String, String> env, Path home) {
        String configured = env.get(ENV);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            for (String name : new String[] {"llama-server", "llama-server.exe"}) {
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
            }
        }
        Path installed = home.resolve("llama-server").resolve("bin").resolve("llama-server");
        return Files.isExecutable(installed) ? Optional.of(installed) : Optional.empty();
    }

    /** The one used by this process: environment and {@code ~/.tailgate}. */
    public static Optional<Path> find() {
        return find(System.getenv(), Path.of(System.getProperty("user.home"), ".tailgate"));
    }

    /** Its {@code --version} line ("version: 0.7.0 (build 11669, …)"), or why it could not be asked. */
    public static String version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "did not answer --version within 20s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (String line : out.split("\n")) if (line.startsWith("version:")) return line.strip();
            return "unknown version (exit " + p.exitValue() + ")";
        } catch (IOException e) {
            return "cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** How to install it on this OS, for the "unavailable" reason and {@code doctor}. */
    public static String installHint() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String how;
        if (os.contains("mac")) how = "brew install llama.cpp";
        else if (os.contains("win")) how = "winget install llama.cpp";
        else how = "apt install llama.cpp (Debian testing, Ubuntu), or .ci/llama-server.sh from the Tailgate sources";
        return "llama-server (llama.cpp) is not installed — install it: " + how + "; or set " + ENV + " to its path";
    }
}
