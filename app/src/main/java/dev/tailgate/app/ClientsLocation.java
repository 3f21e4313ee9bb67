package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --home DIR | --clients FILE}: which clients file a {@code keys} command edits. With a home, it is the
 * {@code clients_file} named in that home's gateway.yaml (relative to it), else {@code DIR/clients.yaml}.
 */
public final class ClientsLocation {
    @Option(names = "--home", paramLabel = "DIR",
            description = "Tailgate home (default: $TAILGATE_HOME or ~/.tailgate).")
    Path home;

    @Option(names = "--clients", paramLabel = "FILE", description = "The clients file to edit (instead of the home's).")
    Path clients;

    public Path resolve() {
        if (clients != null) return Home.expand(clients.toString(), System.getProperty("user.home"));
        return inHome(Home.resolve(home));
    }

    /** What a printed {@code keys} command adds to edit this same file: {@code --clients FILE}, else {@link HomeFlag}. */
    String flag() {
        return clients != null ? " --clients " + HomeFlag.shellWord(resolve().toString()) : HomeFlag.of(Home.resolve(home));
    }

    static Path inHome(Path home) {
        Path gateway = home.resolve(DefaultConfigs.GATEWAY);
        if (Files.isRegularFile(gateway)) {
            try {
                JsonNode root = ClientsFile.YAML.readTree(gateway.toFile());
                JsonNode cf = root == null ? null : root.get("clients_file");
                if (cf != null && cf.isTextual() && !cf.asText().isBlank()) {
                    String named = cf.asText().trim();
                    return named.startsWith("~")
                            ? Home.expand(named, System.getProperty("user.home"))
                            : home.resolve(named).normalize();
                }
            } catch (IOException e) {
                // An unreadable gateway.yaml is the gateway's problem to report; the default location still works.
            }
        }
        return home.resolve(DefaultConfigs.CLIENTS);
    }
}
