package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.local.store.BackgroundPull;
import dev.tailgate.local.store.Downloads;
import dev.tailgate.local.store.Env;
import dev.tailgate.local.store.HubAccess;
import dev.tailgate.local.store.ModelStore;
import dev.tailgate.local.store.PullException;
import dev.tailgate.local.store.PullOptions;
import dev.tailgate.local.store.StoreConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailgate up}: qwen-local and the gateway in this JVM, with default configs written on first start.
 * On first start (no clients file yet) it also creates a client key and prints it once.
 */
@Command(name = "up", description = "Run qwen-local (127.0.0.1:8081) and the gateway (127.0.0.1:8080) until stopped;"
        + " writes default configs, qwen-local's internal key and a first client key on first start, and downloads a"
        + " missing default chat model in the background.",
        mixinStandardHelpOptions = true)
public final class UpCommand implements Callable<Integer> {
    static final String FIRST_CLIENT = "default";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR",
            description = "Where configs, keys and models live (default: $TAILGATE_HOME or ~/.tailgate).")
    Path homeOption;

    @Option(names = "--port", paramLabel = "N", defaultValue = "${env:TAILGATE_PORT}",
            description = "The gateway's port (default: $TAILGATE_PORT, else listen: in gateway.yaml; 0 = any free).")
    Integer port;

    @Option(names = "--local-port", paramLabel = "M", defaultValue = "${env:TAILGATE_LOCAL_PORT}",
            description = "qwen-local's port (default: $TAILGATE_LOCAL_PORT, else listen: in local.yaml; 0 = any free);"
                    + " the gateway's local provider follows it.")
    Integer localPort;

    @Option(names = "--no-pull", description = "Do not download a missing default chat model in the background.")
    boolean noPull;

    private final Services services;
    private final RunUntilStopped waiter;
    private final Env env;
    private final PullOptions pullOptions;
    /** The background download started by the last call, if any (tests wait for it). */
    volatile Thread pull;

    public UpCommand() {
        this(Services.REAL, RunUntilStopped.shutdownHook(), Env.system(), PullOptions.defaults());
    }

    UpCommand(Services services, RunUntilStopped waiter) {
        this(services, waiter, Env.system(), PullOptions.defaults());
    }

    UpCommand(Services services, RunUntilStopped waiter, Env env, PullOptions pullOptions) {
        this.services = services;
        this.waiter = waiter;
        this.env = env;
        this.pullOptions = pullOptions;
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
        LocalServiceLink link = new LocalServiceLink(home);
        link.checkMatches();
        if (link.ensureKey()) {
            out.println("qwen-local answers only with its internal key: " + link.keyFile()
                    + " (mode 600; local.yaml keeps its hash; the gateway sends it).");
        }
        String firstKey = createFirstKeyIfNew(home);
        if (firstKey != null) out.println("Created client '" + FIRST_CLIENT + "' in " + ClientsLocation.inHome(home) + ".");
        out.flush();

        StartedServices started = new StartedServices(err, "tailgate: stopping");
        // before anything starts: a signal during start-up still stops what runs
        waiter.onStop(() -> {
            started.stopAll();
            HomeAddresses.forget(home);
        });
        Services.Started local = null;
        try {
            ConfigCheck.validateBoth(home.resolve(DefaultConfigs.LOCAL), home.resolve(DefaultConfigs.GATEWAY));
            try {
                local = services.startLocal(home.resolve(DefaultConfigs.LOCAL), null, localPort);
                if (!started.add(local)) return Main.FAILURE;
            } catch (Services.NotAvailable e) {
                err.println("tailgate: warning: " + e.getMessage() + "; starting the gateway without it");
                err.flush();
            }
            if (started.stopping()) return Main.FAILURE;
            UnaryOperator<GatewayConfig> adjust = local == null ? UnaryOperator.identity() : link.adjust(local.port());
            if (!started.add(services.startGateway(home.resolve(DefaultConfigs.GATEWAY), null, port, adjust))) return Main.FAILURE;
        } catch (RuntimeException e) {
            started.stopAll();
            if (firstKey != null) printKey(out, firstKey, null, null, "");
            throw e;
        }

        Services.Started gateway = started.list().getLast();
        try {
            String localListen = HomeAddresses.listen(home.resolve(DefaultConfigs.LOCAL), HomeAddresses.DEFAULT_LOCAL_LISTEN);
            HomeAddresses.record(home, "http://" + displayHost(home) + ":" + gateway.port(),
                    local == null ? HomeAddresses.url(localListen) : HomeAddresses.withPort(localListen, local.port()));
        } catch (java.io.IOException e) {
            err.println("tailgate: warning: cannot write " + home.resolve(HomeAddresses.RUN_FILE) + " (" + e.getMessage()
                    + "); status and ps find this instance only through the configs");
        }
        String baseUrl = "http://" + displayHost(home) + ":" + gateway.port() + "/v1";
        for (Services.Started s : started.list()) out.println(s.name() + " listening on port " + s.port());
        String homeFlag = HomeFlag.of(home);
        if (firstKey != null) printKey(out, firstKey, baseUrl, firstChatModel(home), homeFlag);
        else out.println("Base URL: " + baseUrl + "   (client keys: tailgate keys list" + homeFlag + " / keys create NAME" + homeFlag + ")");
        out.println("Stop with Ctrl-C (or SIGTERM). Health: tailgate status" + homeFlag + "   Models: tailgate ps" + homeFlag);
        out.flush();
        if (local != null && local.downloads() != null) pull = startPull(home, local.downloads(), err);

        waiter.await();
        return Main.OK;
    }

    /** The first chat model of local.yaml (what the default {@code qwen} alias targets), for the banner's pull hint. */
    static String firstChatModel(Path home) {
        try {
            JsonNode models = ClientsFile.YAML.readTree(home.resolve(DefaultConfigs.LOCAL).toFile()).path("models");
            for (var it = models.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().path("capability").asText().equals("chat")) return e.getKey();
            }
        } catch (IOException | RuntimeException e) {
            // qwen-local reports its own bad config
        }
        return "NAME";
    }

    /**
     * The default chat model's download, in the background, when its file is missing: the first chat model of local.yaml
     * whose file is absent and that {@code models pull} knows how to fetch. Null when nothing is to do.
     */
    private Thread startPull(Path home, Downloads downloads, PrintWriter err) {
        if (noPull) return null;
        try {
            ModelStore store = new ModelStore(StoreConfig.load(home, null, env));
            JsonNode models = ClientsFile.YAML.readTree(home.resolve(DefaultConfigs.LOCAL).toFile()).path("models");
            for (StoreConfig.ConfiguredModel m : store.missing()) {
                if (!models.path(m.name()).path("capability").asText().equals("chat")) continue;
                List<ModelStore.Planned> plan;
                try {
                    plan = store.plan(m.name());
                } catch (PullException e) {
                    continue; // no source: nothing to download; status names the missing file
                }
                return new BackgroundPull(HubAccess.from(env), pullOptions, downloads, err, HomeFlag.of(home)).start(m.name(), plan);
            }
        } catch (IOException | RuntimeException e) {
            err.println("tailgate: warning: no background download (" + Main.describe(e) + ")");
            err.flush();
        }
        return null;
    }

    /** A first key only when there is no clients file at all: an emptied file means the user removed the keys. */
    private static String createFirstKeyIfNew(Path home) {
        Path clients = ClientsLocation.inHome(home);
        if (Files.exists(clients)) return null;
        String key = ClientKey.generate(new SecureRandom());
        ClientsFile.update(clients, cf -> cf.add(FIRST_CLIENT, ClientKey.sha256Hex(key), false, false, List.of("*"), HomeFlag.of(home)));
        return key;
    }

    private static void printKey(PrintWriter out, String key, String baseUrl, String chatModel, String homeFlag) {
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
            out.println("Chat with model \"qwen\" once its file is present (up downloads it in the background; or:"
                    + " tailgate models pull " + chatModel + homeFlag + ").");
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
