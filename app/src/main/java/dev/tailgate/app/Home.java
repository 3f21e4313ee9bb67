package dev.tailgate.app;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Tailgate keeps its configs, client keys and models: {@code --home}, else {@code $TAILGATE_HOME},
 * else {@code ~/.tailgate}. The launcher script applies the same rule for its native-library temp dir.
 */
public final class Home {
    public static final String ENV = "TAILGATE_HOME";

    private Home() {}

    public static Path resolve(Path option) {
        return resolve(option, System.getenv(), System.getProperty("user.home"));
    }

    static Path resolve(Path option, Map<String, String> env, String userHome) {
        if (option != null) return expand(option.toString(), userHome);
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) return expand(fromEnv, userHome);
        return defaultHome(userHome);
    }

    /** {@code ~/.tailgate}: the home when neither {@code --home} nor {@code $TAILGATE_HOME} names one. */
    static Path defaultHome(String userHome) {
        return Path.of(userHome, ".tailgate").toAbsolutePath().normalize();
    }

    /** {@code ~} and {@code ~/x} mean the user's home (shells expand it, but not inside quotes or config files). */
    static Path expand(String path, String userHome) {
        String p = path;
        if (p.equals("~")) p = userHome;
        else if (p.startsWith("~/")) p = userHome + p.substring(1);
        return Path.of(p).toAbsolutePath().normalize();
    }
}
