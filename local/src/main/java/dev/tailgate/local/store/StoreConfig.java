package dev.tailgate.local.store;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The little the store needs from qwen-local's config ({@code <home>/local.yaml}): {@code models_dir} and each
 * model's {@code file} and {@code source}. Read leniently — the service owns validation of everything else.
 */
public record StoreConfig(Path home, Path modelsDir, Map<String, ConfiguredModel> models) {
    public static final String CONFIG_FILE = "local.yaml";

    /** A model declared in the config; {@code file} is resolved against models_dir, may be null (built-in models). */
    public record ConfiguredModel(String name, Path file, String source) {}

    public StoreConfig {
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    /** {@code $TAILGATE_HOME}, else {@code ~/.tailgate}. */
    public static Path defaultHome(Env env) {
        return env.get("TAILGATE_HOME").map(p -> expand(p, env)).orElse(env.userHome().resolve(".tailgate"));
    }

    /**
     * Loads {@code <home>/local.yaml} when present; {@code modelsDirOverride} (from {@code --models-dir}) wins over
     * its {@code models_dir}; without either the models live in {@code <home>/models}.
     */
    public static StoreConfig load(Path home, Path modelsDirOverride, Env env) {
        Path configFile = home.resolve(CONFIG_FILE);
        JsonNode root = Files.isRegularFile(configFile) ? read(configFile) : null;
        Path modelsDir = modelsDirOverride != null ? modelsDirOverride
                : text(root, "models_dir").map(p -> home.resolve(expand(p, env))).orElse(home.resolve("models"));
        modelsDir = modelsDir.toAbsolutePath().normalize();
        Map<String, ConfiguredModel> models = new LinkedHashMap<>();
        JsonNode declared = root == null ? null : root.get("models");
        if (declared != null && declared.isObject()) {
            for (var entry : declared.properties()) {
                JsonNode m = entry.getValue();
                Path file = text(m, "file").map(f -> expand(f, env)).map(modelsDir::resolve).map(Path::normalize).orElse(null);
                models.put(entry.getKey(), new ConfiguredModel(entry.getKey(), file, text(m, "source").orElse(null)));
            }
        }
        return new StoreConfig(home, modelsDir, models);
    }

    private static JsonNode read(Path configFile) {
        try {
            JsonNode node = new YAMLMapper().readTree(configFile.toFile());
            return node == null || !node.isObject() ? null : node;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IllegalArgumentException("cannot read " + configFile + (at == null ? "" : " at line " + at.getLineNr())
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + configFile + ": " + e.getMessage());
        }
    }

    private static Optional<String> text(JsonNode node, String field) {
        if (node == null) return Optional.empty();
        JsonNode v = node.get(field);
        return v == null || !v.isValueNode() || v.asText().isBlank() ? Optional.empty() : Optional.of(v.asText().strip());
    }

    static Path expand(String path, Env env) {
        if (path.equals("~")) return env.userHome();
        if (path.startsWith("~/")) return env.userHome().resolve(path.substring(2));
        return Path.of(path);
    }
}
