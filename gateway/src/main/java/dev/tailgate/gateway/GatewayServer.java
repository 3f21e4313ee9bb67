package dev.tailgate.gateway;

import dev.tailgate.gateway.auth.AdminSessions;
import dev.tailgate.gateway.chat.ChatCaller;
import dev.tailgate.gateway.chat.DefaultChatCaller;
import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.SecretResolver;
import dev.tailgate.gateway.http.AdminGate;
import dev.tailgate.gateway.http.ClientTimeouts;
import dev.tailgate.gateway.http.Cors;
import dev.tailgate.gateway.http.GatewayRouter;
import dev.tailgate.wire.config.ConfigWatcher;
import dev.tailgate.gateway.http.OpenAiRoutes;
import dev.tailgate.gateway.http.OpsRoutes;
import dev.tailgate.gateway.statuspage.StatusPage;
import dev.tailgate.wire.http.InvalidRequests;
import dev.tailgate.wire.http.StrictFraming;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: listens, drains, reloads and closes. The parts it serves with are assembled once, in
 * dependency order, at {@link #start(Options)}: the {@link Gateway}'s parts ({@link Gateway#assemble}: providers and
 * limiters, policy with health, probes, admission, audit and ledger, dispatcher, metrics), then one chat caller and the
 * routes. A reload swaps the config snapshot ({@code Gateway.reload}); nothing else is replaced.
 *
 * <p>Extension points: {@link Options#extension} (called once at start with the {@link Gateway}, the gateway's one
 * {@link ChatCaller} and the {@link dev.tailgate.gateway.http.RouteRegistry}, e.g. {@code POST /v1/responses});
 * {@link GatewayExtensions#builtin()} lists the extensions every start includes.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    /**
     * Everything that can be varied at start; tests inject {@code env}, {@code clock} and {@code ticker}.
     * {@code probes}: the policy's active health probes (on by default; tests whose fakes count requests turn them off).
     */
    public record Options(Path configFile, String host, Integer port, Map<String, String> env, Clock clock,
                          Duration shutdownGrace, List<GatewayExtension> extensions, boolean probes,
                          java.util.function.LongSupplier ticker, UnaryOperator<GatewayConfig> adjust) {

        public static Options of(Path configFile) {
            return new Options(configFile, null, null, System.getenv(), Clock.systemUTC(), Duration.ofSeconds(10),
                    GatewayExtensions.builtin(), true, System::nanoTime, UnaryOperator.identity());
        }

        /**
         * Applied to the config after every load, the first and each reload: {@code tailgate up} points the providers
         * that mean "the qwen-local started next to me" at its actual address and internal key.
         */
        public Options adjust(UnaryOperator<GatewayConfig> a) {
            return new Options(configFile, host, port, env, clock, shutdownGrace, extensions, probes, ticker, a);
        }

        public Options listen(String host, Integer port) {
            return new Options(configFile, host, port, env, clock, shutdownGrace, extensions, probes, ticker, adjust);
        }

        public Options env(Map<String, String> env) {
            return new Options(configFile, host, port, env, clock, shutdownGrace, extensions, probes, ticker, adjust);
        }

        public Options clock(Clock clock) {
            return new Options(configFile, host, port, env, clock, shutdownGrace, extensions, probes, ticker, adjust);
        }

        /** Monotonic nanos for the client rate limiters (tests advance it by hand). */
        public Options ticker(java.util.function.LongSupplier ticker) {
            return new Options(configFile, host, port, env, clock, shutdownGrace, extensions, probes, ticker, adjust);
        }

        public Options shutdownGrace(Duration grace) {
            return new Options(configFile, host, port, env, clock, grace, extensions, probes, ticker, adjust);
        }

        /** Turns the active health probes on or off (tests whose fakes count requests turn them off). */
        public Options activeProbes(boolean on) {
            return new Options(configFile, host, port, env, clock, shutdownGrace, extensions, on, ticker, adjust);
        }

        /** Adds a callback that registers extra routes (runs once, before the server listens). */
        public Options extension(GatewayExtension ext) {
            List<GatewayExtension> l = new ArrayList<>(extensions);
            l.add(ext);
            return new Options(configFile, host, port, env, clock, shutdownGrace, List.copyOf(l), probes, ticker, adjust);
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final HttpClientAgent client;
    private final Gateway gateway;
    private final ConfigWatcher<GatewayConfig> watcher;
    private final Duration grace;
    private final boolean sighup;
    /** Set by {@link #close()}: the router refuses new /v1 work and /health answers 503. */
    private final AtomicBoolean draining;
    private volatile boolean closed;

    private GatewayServer(Vertx vertx, HttpServer server, HttpClientAgent client, Gateway gateway, ConfigWatcher<GatewayConfig> watcher,
                          Duration grace, boolean sighup, AtomicBoolean draining) {
        this.vertx = vertx;
        this.server = server;
        this.client = client;
        this.gateway = gateway;
        this.watcher = watcher;
        this.grace = grace;
        this.sighup = sighup;
        this.draining = draining;
    }

    /** What triggered the last successful config reload ("SIGHUP", "file change", "request"), or null. */
    public String lastReload() {
        return watcher.lastReload();
    }

    /** Whether SIGHUP reloads the config in this process. */
    public boolean reloadsOnSighup() {
        return sighup;
    }

    /** Loads {@code configFile}, binds (host/port override the config's {@code listen} when not null) and returns once listening. */
    public static GatewayServer start(Path configFile, String host, Integer port) {
        return start(Options.of(configFile).listen(host, port));
    }

    /**
     * Starts with full options. Throws {@link dev.tailgate.wire.config.ConfigException} (message names file, line
     * and key) for an invalid config, {@link IllegalStateException} when the port cannot be bound.
     */
    public static GatewayServer start(Options o) {
        ConfigLoader loader = new ConfigLoader(new SecretResolver(o.env()));
        Path configFile = o.configFile().toAbsolutePath().normalize();
        Supplier<GatewayConfig> load = () -> {
            GatewayConfig c = o.adjust().apply(loader.load(configFile));
            c.warnings().forEach(w -> LOG.warn("config: {}", w));
            return c;
        };
        GatewayConfig config = load.get();
        Vertx vertx = Vertx.vertx();
        Gateway gateway = null;
        try {
            HttpClientAgent client = vertx.httpClientBuilder()
                    .with(new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true).setPipelining(false).setForceSni(true)
                            .setMaxInitialLineLength(16 * 1024).setMaxHeaderSize(64 * 1024).setDecompressionSupported(false))
                    .with(new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(1024))
                    .build();
            gateway = Gateway.assemble(vertx, client, config, o.clock(), o.ticker(), o.probes());
            AtomicBoolean draining = new AtomicBoolean();
            GatewayRouter router = routes(gateway, draining, o);

            // h2c off: with it on, Vert.x only creates the connection (and calls connectionHandler) once the first
            // bytes tell HTTP/1 from HTTP/2, so a client that connects and sends nothing would escape client_timeout
            HttpServerOptions serverOptions = new HttpServerOptions().setTcpNoDelay(true).setHttp2ClearTextEnabled(false)
                    .setCompressionSupported(false).setMaxInitialLineLength(16 * 1024).setMaxHeaderSize(64 * 1024)
                    .setHandle100ContinueAutomatically(true);
            HttpServer server = vertx.createHttpServer(serverOptions);
            Gateway g = gateway;
            ClientTimeouts slowClients = new ClientTimeouts(vertx, () -> g.config().clientTimeout());
            server.connectionHandler(conn -> {
                StrictFraming.apply(conn, serverOptions);
                slowClients.connected(conn);
            });
            Cors cors = new Cors(() -> g.config().corsOrigins());
            server.requestHandler(slowClients.wrap(cors.wrap(router)));
            server.invalidRequestHandler(InvalidRequests::handle);
            String host = o.host() != null ? o.host() : config.host();
            int port = o.port() != null ? o.port() : config.port();
            await(server.listen(port, host), Duration.ofSeconds(30), "listen on " + host + ":" + port);

            ConfigWatcher<GatewayConfig> watcher = new ConfigWatcher<>("gateway config", config, load, c -> {
                g.reload(c);
                LOG.info("gateway config: {} providers, {} models, {} clients", c.providers().size(), c.models().size(), c.clients().size());
            }, c -> {
                // the clients file, and a clients.yaml that appears beside the config (it is read when present)
                List<Path> files = new ArrayList<>(List.of(configFile, configFile.resolveSibling("clients.yaml")));
                if (c.clientsFile() != null) files.add(c.clientsFile());
                return files;
            });
            vertx.setPeriodic(2000, id -> vertx.executeBlocking(() -> {
                watcher.poll();
                return null;
            }, false));
            boolean sighup = watcher.onSighup();
            LOG.info("gateway listening on http://{}:{}/v1 ({} providers, {} models, {} clients)", host, server.actualPort(),
                    config.providers().size(), config.models().size(), config.clients().size());
            return new GatewayServer(vertx, server, client, gateway, watcher, o.shutdownGrace(), sighup, draining);
        } catch (RuntimeException e) {
            if (gateway != null) gateway.close();
            vertx.close();
            throw e;
        }
    }

    /**
     * The routes, each part built once: the admin gate, ops and OpenAI routes, {@code /admin/policy}, the status page,
     * then the extensions, which all share one chat caller over {@code gateway}.
     */
    private static GatewayRouter routes(Gateway gateway, AtomicBoolean draining, Options o) {
        AdminGate adminGate = new AdminGate(gateway, new AdminSessions(o.clock()));
        GatewayRouter router = new GatewayRouter(gateway, draining::get, adminGate);
        OpsRoutes ops = new OpsRoutes(gateway, draining::get, adminGate);
        ops.register(router);
        new OpenAiRoutes(gateway).register(router);
        router.admin(HttpMethod.GET, ADMIN_POLICY_PATH, ex -> ex.json(200, gateway.policy().adminView(100)));
        new StatusPage(gateway, adminGate, ops::detail, o.clock()).register(router);
        ChatCaller chat = new DefaultChatCaller(gateway);
        o.extensions().forEach(ext -> ext.register(gateway, chat, router));
        return router;
    }

    /** {@code GET /admin/policy} (needs an admin key): providers as the policy sees them, the last 100 decisions. */
    public static final String ADMIN_POLICY_PATH = "/admin/policy";

    /** The bound port (useful when the config asked for port 0). */
    public int port() {
        return server.actualPort();
    }

    public Gateway gateway() {
        return gateway;
    }

    /** Reloads the config now (as SIGHUP does); false when the file was refused and the running config kept. */
    public boolean reload() {
        return watcher.reload("request");
    }

    /** Graceful stop: refuse new work, let in-flight requests finish within the grace period, then close. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        watcher.close();
        draining.set(true);
        long deadline = System.nanoTime() + grace.toNanos();
        while (gateway.metrics().inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20); // waiting for other requests to finish; nothing to signal on, bounded by the grace
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (gateway.metrics().inFlight() > 0) LOG.warn("{} requests still in flight after the grace period; closing", gateway.metrics().inFlight());
        try {
            await(server.close(), Duration.ofSeconds(5), "close server");
            await(client.close(), Duration.ofSeconds(5), "close client");
        } catch (RuntimeException e) {
            LOG.warn("shutdown: {}", e.getMessage());
        }
        gateway.close(); // after the server: the last requests' rows are queued
        try {
            await(vertx.close(), Duration.ofSeconds(10), "close vertx");
        } catch (RuntimeException e) {
            LOG.warn("shutdown: {}", e.getMessage());
        }
    }

    private static <T> T await(Future<T> f, Duration timeout, String what) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("could not " + what + ": " + e, e);
        }
    }
}
