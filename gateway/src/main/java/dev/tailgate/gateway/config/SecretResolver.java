package dev.tailgate.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one place secrets are resolved: {@code env:NAME} reads the environment map given at construction (tests inject
 * their own), {@code file:PATH} reads a file (relative paths against the config's folder; surrounding whitespace
 * trimmed). Literal values are refused: a key written into the YAML would travel with every copy of the file.
 * Failure messages name the reference, never a value, and never a secret file's absolute path (they end up in
 * {@code /status}): a file under the config's folder is named relative to it, any other by its file name only.
 */
public final class SecretResolver {
    private final Map<String, String> env;

    public SecretResolver(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static SecretResolver fromSystem() {
        return new SecretResolver(System.getenv());
    }

    /** True when {@code spec} has a supported form (whether or not it resolves right now). */
    public static boolean isReference(String spec) {
        return spec != null && (spec.startsWith("env:") || spec.startsWith("file:"));
    }

    /** Resolves {@code spec}; throws {@link SecretException} naming the reference when it cannot. */
    public Secret resolve(String spec, Path baseDir) {
        if (spec == null) throw new SecretException("no secret reference given");
        if (spec.startsWith("env:")) {
            String name = spec.substring(4).trim();
            if (name.isEmpty()) throw new SecretException("'env:' needs a variable name, e.g. env:DEEPSEEK_API_KEY");
            String v = env.get(name);
            if (v == null || v.isBlank()) throw new SecretException("environment variable " + name + " is not set");
            return new Secret(v.trim(), "env:" + name);
        }
        if (spec.startsWith("file:")) {
            String raw = spec.substring(5).trim();
            if (raw.startsWith("~/")) raw = System.getProperty("user.home") + raw.substring(1);
            Path p = baseDir == null ? Path.of(raw) : baseDir.resolve(raw);
            try {
                String v = Files.readString(p, StandardCharsets.UTF_8).trim();
                if (v.isEmpty()) throw new SecretException("secret file " + shown(p, baseDir) + " is empty");
                return new Secret(v, "file:" + raw);
            } catch (IOException e) {
                throw new SecretException("cannot read secret file " + shown(p, baseDir) + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        throw new SecretException("must be env:NAME or file:PATH (a literal key in the config file is refused)");
    }

    /** {@code file} as messages show it: relative to {@code baseDir} when inside it, else only its name. */
    static String shown(Path file, Path baseDir) {
        Path abs = file.toAbsolutePath().normalize();
        if (baseDir != null) {
            Path base = baseDir.toAbsolutePath().normalize();
            if (abs.startsWith(base) && !abs.equals(base)) return base.relativize(abs).toString();
        }
        Path name = abs.getFileName();
        return name == null ? "(root)" : name.toString();
    }

    public static final class SecretException extends RuntimeException {
        public SecretException(String message) {
            super(message, null, false, false);
        }
    }
}
