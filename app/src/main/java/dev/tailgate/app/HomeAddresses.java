package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a home's services listen, as every command sees it: the run file {@code tailgate up} writes while it runs
 * (its actual ports, whatever --port/--local-port or port 0 chose), else the {@code listen:} of the home's
 * gateway.yaml and local.yaml, else the defaults. So {@code status}, {@code ps} and {@code unload} with {@code --home}
 * (or {@code TAILGATE_HOME}) talk to that home's instance and never to another one on the default ports.
 */
public record HomeAddresses(String gatewayUrl, String localUrl) {
    static final String RUN_FILE = "run.json";
    static final String DEFAULT_GATEWAY_LISTEN = "127.0.0.1:8080";
    static final String DEFAULT_LOCAL_LISTEN = "127.0.0.1:8081";

    /** The {@code up} of a home that is running now, as its run file records it: its process and where it listens. */
    record Running(long pid, HomeAddresses addresses) {}

    public static HomeAddresses of(Path home) {
        return running(home).map(Running::addresses)
                .orElseGet(() -> new HomeAddresses(url(listen(home.resolve(DefaultConfigs.GATEWAY), DEFAULT_GATEWAY_LISTEN)),
                        url(listen(home.resolve(DefaultConfigs.LOCAL), DEFAULT_LOCAL_LISTEN))));
    }

    /** The home's run file when its process is alive; empty when there is none, or it is torn or stale (pid gone). */
    static Optional<Running> running(Path home) {
        Path run = home.resolve(RUN_FILE);
        if (!Files.isRegularFile(run)) return Optional.empty();
        try {
            JsonNode r = Json.parse(Files.readAllBytes(run));
            long pid = r.path("pid").asLong(-1);
            if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    && r.path("gateway").isTextual() && r.path("local").isTextual()) {
                return Optional.of(new Running(pid, new HomeAddresses(r.get("gateway").asText(), r.get("local").asText())));
            }
        } catch (IOException | RuntimeException e) {
            // a torn or stale run file: the configs still say where the services listen
        }
        return Optional.empty();
    }

    /** Records where {@code up} listens (removed again by {@link #forget}). */
    static void record(Path home, String gatewayUrl, String localUrl) throws IOException {
        ObjectNode r = Json.object();
        r.put("pid", ProcessHandle.current().pid());
        r.put("gateway", gatewayUrl);
        r.put("local", localUrl);
        AtomicFiles.write(home.resolve(RUN_FILE), r.toString());
    }

    static void forget(Path home) {
        try {
            Files.deleteIfExists(home.resolve(RUN_FILE));
        } catch (IOException e) {
            // a leftover run file is ignored once its process is gone
        }
    }

    /** {@code host:port} from a config's {@code listen:}, or {@code fallback} when the file or key is absent. */
    static String listen(Path config, String fallback) {
        if (!Files.isRegularFile(config)) return fallback;
        try {
            JsonNode root = ClientsFile.YAML.readTree(config.toFile());
            JsonNode l = root == null ? null : root.get("listen");
            return l != null && l.isTextual() && !l.asText().isBlank() ? l.asText().trim() : fallback;
        } catch (IOException e) {
            return fallback; // the service reports its own bad config
        }
    }

    /** The port of a {@code host:port}, or -1. */
    static int port(String hostPort) {
        try {
            return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The URL of {@code listen}'s host on another port (the one a service actually bound). */
    static String withPort(String listen, int port) {
        int colon = listen.lastIndexOf(':');
        return url((colon > 0 ? listen.substring(0, colon) : "127.0.0.1") + ":" + port);
    }

    /** A URL clients can use: a wildcard listen address is reached through loopback. */
    static String url(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 ? hostPort.substring(0, colon) : "127.0.0.1";
        String port = hostPort.substring(colon + 1);
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isBlank()) host = "127.0.0.1";
        if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
        return "http://" + host + ":" + port;
    }
}
