package dev.tailgate.gateway.auth;

import java.util.List;

/** An authenticated client: its config name, whether everything it sends is private, and the model globs it may use. */
public record Caller(String name, boolean privateOnly, List<String> modelGlobs) {
    public boolean mayUse(String alias) {
        for (String g : modelGlobs) if (Glob.matches(g, alias)) return true;
        return false;
    }
}
