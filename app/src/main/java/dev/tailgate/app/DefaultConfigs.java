package dev.tailgate.app;

import dev.tailgate.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The default configs {@code ./tailgate up} writes into a fresh home. The YAML lives as resources next to this
 * class (comments included, so the written files explain themselves); existing files are never overwritten.
 */
public final class DefaultConfigs {
    public static final String GATEWAY = "gateway.yaml";
    public static final String LOCAL = "local.yaml";
    public static final String CLIENTS = "clients.yaml";

    private DefaultConfigs() {}

    /** The default gateway config text. */
    public static String gatewayYaml() {
        return resource(GATEWAY);
    }

    /** The default qwen-local config text, with {@code models_dir} pointing into {@code home}. */
    public static String localYaml(Path home) {
        // JSON string quoting is valid YAML double-quoted scalar syntax: safe for spaces, '#', ':' in paths.
        return resource(LOCAL).replace("{{MODELS_DIR}}", Json.string(home.resolve("models").toString()));
    }

    /** An empty clients file (the header comment says what belongs there). */
    public static String clientsYaml() {
        return resource(CLIENTS);
    }

    /**
     * Writes each default file that does not exist yet (and the {@code models} and {@code tmp} folders).
     * Returns the names of the files written, so the caller can tell a first start from a later one.
     */
    public static List<String> writeMissing(Path home) {
        List<String> written = new ArrayList<>();
        try {
            Files.createDirectories(home);
            Files.createDirectories(home.resolve("models"));
            Files.createDirectories(home.resolve("tmp"));
            if (writeIfAbsent(home.resolve(GATEWAY), gatewayYaml())) written.add(GATEWAY);
            if (writeIfAbsent(home.resolve(LOCAL), localYaml(home))) written.add(LOCAL);
        } catch (IOException e) {
            throw new UserError("cannot write the default configs into " + home + ": " + e.getMessage());
        }
        return written;
    }

    private static boolean writeIfAbsent(Path file, String text) throws IOException {
        if (Files.exists(file)) return false;
        AtomicFiles.write(file, text);
        return true;
    }

    private static String resource(String name) {
        try (InputStream in = DefaultConfigs.class.getResourceAsStream("defaults/" + name)) {
            if (in == null) throw new IllegalStateException("default config " + name + " missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
