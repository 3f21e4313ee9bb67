package dev.tailgate.local.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the store reads from the process environment, behind an interface so tests inject values instead of
 * mutating the real environment.
 */
public interface Env {
    /** An environment variable, empty when unset or blank. */
    Optional<String> get(String name);

    /** The user's home directory (for {@code ~} and {@code ~/.cache/huggingface/token}). */
    Path userHome();

    /** Whether stderr is an interactive terminal (decides between a redrawn progress bar and plain lines). */
    boolean stderrIsTerminal();

    static Env system() {
        return new Env() {
            @Override
            public Optional<String> get(String name) {
                return nonBlank(System.getenv(name));
            }

            @Override
            public Path userHome() {
                return Path.of(System.getProperty("user.home"));
            }

            @Override
            public boolean stderrIsTerminal() {
                // Java has no isatty(stderr); a console attached to the process is the closest honest signal.
                java.io.Console console = System.console();
                return console != null && console.isTerminal();
            }
        };
    }

    static Env of(Map<String, String> vars, Path userHome) {
        Map<String, String> copy = Map.copyOf(vars);
        return new Env() {
            @Override
            public Optional<String> get(String name) {
                return nonBlank(copy.get(name));
            }

            @Override
            public Path userHome() {
                return userHome;
            }

            @Override
            public boolean stderrIsTerminal() {
                return false;
            }
        };
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }
}
