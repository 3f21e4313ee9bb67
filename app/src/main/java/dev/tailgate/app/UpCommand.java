package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailgate up}: qwen-local and the gateway in this JVM, with default configs written on first start.
 * On first start (no clients file yet) it also creates a client key and prints it once.
 */
@Command(name = "up", description = "Run qwen-local (127.0.0.1:8081) and the gateway (127.0.0.1:8080) until stopped;"
        + " writes default configs and a first client key on first start.",
        mixinStandardHelpOptions = true)
public final class UpCommand implements Callable<Integer> {
    static final String FIRST_CLIENT = "default";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR",
            description = "Where configs, keys and models live (default: $TAILGATE_HOME or ~/.tailgate).")
    Path homeOption;

    private final Services services;
    private final RunUntilStopped waiter;

    public UpCommand() {
        this(Services.REAL, RunUntilStopped.shutdownHook());
    }

    UpCommand(Services services, RunUntilStopped waiter) {
        this.services = services;
        this.waiter = waiter;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path home = Home.resolve(homeOption);

        List<String> written = DefaultConfigs.writeMissing(home);
        if (!written.isEmpty()) {
            out.println("Wrote default " + String.join(", ", written) + " into " + home + " (edit freely; never overwritten).");
        }
        String firstKey = createFirstKeyIfNew(home);
        if (firstKey != null) out.println("Created client '" + FIRST_CLIENT + "' in " + ClientsLocation.inHome(home) + ".");
        out.flush();

        StartedServices started = new StartedServices(err, "tailgate: stopping");
        waiter.onStop(started::stopAll); // before anything starts: a signal during start-up still stops what runs
        try {
            ConfigCheck.validateBoth(home.resolve(DefaultConfigs.LOCAL), home.resolve(DefaultConfigs.GATEWAY));
            try {
                if (!started.add(services.startLocal(home.resolve(DefaultConfigs.LOCAL), null, null))) return Main.FAILURE;
            } catch (Services.NotAvailable e) {
                err.println("tailgate: warning: " + e.getMessage() + "; starting the gateway without it");
                err.flush();
            }
            if (started.stopping()) return Main.FAILURE;
            if (!started.add(services.startGateway(home.resolve(DefaultConfigs.GATEWAY), null, null))) return Main.FAILURE;
        } catch (RuntimeException e) {
            started.stopAll();
            if (firstKey != null) printKey(out, firstKey, null);
            throw e;
        }

        Services.Started gateway = started.list().getLast();
        String baseUrl = "http://" + displayHost(home) + ":" + gateway.port() + "/v1";
        for (Services.Started s : started.list()) out.println(s.name() + " listening on port " + s.port());
        if (firstKey != null) printKey(out, firstKey, baseUrl);
        else out.println("Base URL: " + baseUrl + "   (client keys: tailgate keys list / keys create NAME)");
        out.println("Stop with Ctrl-C (or SIGTERM). Health: tailgate status");
        out.flush();

        waiter.await();
        return Main.OK;
    }

    /** A first key only when there is no clients file at all: an emptied file means the user removed the keys. */
    private static String createFirstKeyIfNew(Path home) {
        Path clients = ClientsLocation.inHome(home);
        if (Files.exists(clients)) return null;
        String key = ClientKey.generate(new SecureRandom());
        ClientsFile.update(clients, cf -> cf.add(FIRST_CLIENT, ClientKey.sha256Hex(key), false, false, List.of("*")));
        return key;
    }

    private static void printKey(PrintWriter out, String key, String baseUrl) {
        out.println();
        out.println("Your client key (shown only this once; clients.yaml keeps only its SHA-256 hash):");
        out.println();
        out.println("  " + key);
        out.println();
        if (baseUrl != null) {
            out.println("Base URL: " + baseUrl);
            out.println("Try it:");
            out.println("  curl " + baseUrl + "/models -H 'Authorization: Bearer " + key + "'");
            out.println("  curl " + baseUrl + "/embeddings -H 'Authorization: Bearer " + key + "'"
                    + " -H 'Content-Type: application/json' -d '{\"model\":\"embeddings\",\"input\":\"hello\"}'");
            out.println("Chat with model \"qwen\" once its file is present"
                    + " (tailgate models pull hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf).");
            out.println();
        }
    }

    /** The host clients should use: the gateway's listen host, with a wildcard address shown as loopback. */
    static String displayHost(Path home) {
        String host = "127.0.0.1";
        try {
            JsonNode root = ClientsFile.YAML.readTree(home.resolve(DefaultConfigs.GATEWAY).toFile());
            JsonNode listen = root == null ? null : root.get("listen");
            if (listen != null && listen.isTextual()) {
                String l = listen.asText().trim();
                int colon = l.lastIndexOf(':');
                if (colon > 0) host = l.substring(0, colon);
            }
        } catch (IOException | RuntimeException e) {
            // the gateway itself reports a bad config; the banner falls back to loopback
        }
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isBlank() ? "127.0.0.1" : host;
    }
}
