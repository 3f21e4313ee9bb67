package dev.tailgate.gateway.auth;

import java.util.List;

/**
 * An authenticated client: its config name, whether everything it sends is private, the model globs it may use, and
 * whether it is an admin (may read {@code /admin/*}, {@code /status} details and the status page).
 */
public record Caller(String name, boolean privateOnly, List<String> modelGlobs, boolean admin) {
    public boolean mayUse(String alias) {
        for (String g : modelGlobs) if (Glob.matches(g, alias)) return true;
        return false;
    }
}
