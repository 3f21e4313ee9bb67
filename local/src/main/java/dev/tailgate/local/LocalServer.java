package dev.tailgate.local;

import dev.tailgate.wire.config.ConfigException;
import dev.tailgate.wire.config.ConfigWatcher;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.local.config.ModelConfig;
import dev.tailgate.local.engine.EngineFactory;
import dev.tailgate.local.engine.server.LlamaServerFactory;
import dev.tailgate.local.engine.speech.EspeakSpeechEngine;
import dev.tailgate.local.engine.speech.KokoroSpeechEngine;
import dev.tailgate.local.engine.speech.PiperSpeechEngine;
import dev.tailgate.local.engine.whisper.WhisperTranscriptionEngine;
import dev.tailgate.local.engine.worker.WorkerProcessFactory;
import dev.tailgate.local.http.InternalKey;
import dev.tailgate.local.http.LocalHttpApi;
import dev.tailgate.local.store.Downloads;
import dev.tailgate.local.metrics.LocalMetrics;
import dev.tailgate.local.sched.Scheduler;
import dev.tailgate.wire.http.InvalidRequests;
import dev.tailgate.wire.http.StrictFraming;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import dev.tailgate.local.engine.ModelSpec.Capability;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running qwen-local service: the one entry point the launcher uses. */
public final class LocalServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalServer.class);

    private final Vertx vertx;
    private final HttpServer server;
    private final Scheduler scheduler;
    private volatile LocalConfig config;
    private final long tickTimer;
    private ConfigWatcher<LocalConfig> watcher; // null when started from a config object (tests), not a file
    private final Downloads downloads;
    private boolean closed;

    private LocalServer(Vertx vertx, HttpServer server, Scheduler scheduler, LocalConfig config, long tickTimer,
                        Downloads downloads) {
        this.downloads = downloads;
        this.vertx = vertx;
        this.server = server;
        this.scheduler = scheduler;
        this.config = config;
        this.tickTimer = tickTimer;
    }

    /**
     * Reloads {@code configFile} when it changes (polled every 2 s) and on SIGHUP: models, limits, keep_alive,
     * stuck_after, memory_budget and shutdown_grace apply at once ({@link Scheduler#reconfigure}); listen,
     * max_request_bytes and logs_dir need a restart. A file that fails to load is logged and the running config stays.
     */
    private void watch(Path configFile, ConfigLoader loader, LocalConfig fromFile) {
        LocalConfig started = config;
        watcher = new ConfigWatcher<>("local.yaml", started, () -> loader.load(configFile), next -> {
            if (!next.host().equals(fromFile.host()) || next.port() != fromFile.port()) {
                LOG.warn("local.yaml: listen changed; it applies at the next start (still on {}:{})", started.host(), port());
            }
            scheduler.reconfigure(next);
            config = next.withListen(started.host(), started.port());
        }, c -> java.util.List.of(configFile));
        vertx.setPeriodic(2000, id -> vertx.executeBlocking(() -> {
            watcher.poll();
            return null;
        }, false));
        watcher.onSighup();
    }

    /** What triggered the last successful reload of local.yaml ("SIGHUP", "file change", "request"), or null. */
    public String lastReload() {
        return watcher == null ? null : watcher.lastReload();
    }

    /** Reloads the config file now (as SIGHUP does); false when it was refused or there is no file to reload. */
    public boolean reload() {
        return watcher != null && watcher.reload("request");
    }

    /** The engine that runs llama.cpp's own llama-server process per model ({@code engine.server}). */
    public static final String LLAMA_SERVER = "llama-server";

    /** Engine names a config may use, and what each serves (llama.cpp: chat and GGUF embeddings). */
    public static final Map<String, Set<Capability>> ENGINES = Map.of(
            "llama.cpp", Set.of(Capability.CHAT, Capability.EMBEDDINGS),
            LLAMA_SERVER, Set.of(Capability.CHAT, Capability.EMBEDDINGS),
            "onnx", Set.of(Capability.EMBEDDINGS),
            EspeakSpeechEngine.ENGINE, Set.of(Capability.SPEECH),
            KokoroSpeechEngine.ENGINE, Set.of(Capability.SPEECH),
            PiperSpeechEngine.ENGINE, Set.of(Capability.SPEECH),
            WhisperTranscriptionEngine.ENGINE, Set.of(Capability.TRANSCRIPTION));

    /**
     * The engines qwen-local runs: every model in its own supervised worker process (a native crash or hang costs one
     * worker, never the service), with worker logs in {@code logs_dir}.
     */
    public static EngineRegistry productionEngines(LocalConfig config) {
        WorkerProcessFactory workers = new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(config.logsDir()));
        EngineRegistry registry = new EngineRegistry();
        for (String name : ENGINES.keySet()) if (!name.equals(LLAMA_SERVER)) registry.register(name, workers);
        registry.register(LLAMA_SERVER, LlamaServerFactory.defaults(config.logsDir()));
        return registry;
    }

    /** Loads {@code configFile}, binds (host/port override the config's {@code listen} when not null) and returns once listening. */
    public static LocalServer start(Path configFile, String host, Integer port) {
        LocalConfig config;
        ConfigLoader loader = new ConfigLoader(ENGINES);
        try {
            config = loader.load(configFile);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return builder(config.withListen(host, port)).watch(configFile, config).start();
    }

    public static Builder builder(LocalConfig config) {
        return new Builder(config);
    }

    /** Wiring with every seam a test needs: the engine factory, the clock, and whether the watchdog ticks by itself. */
    public static final class Builder {
        private final LocalConfig config;
        private EngineFactory engines;
        private Clock clock = Clock.systemUTC();
        private boolean autoTick = true;
        private Path configFile;
        private LocalConfig fromFile;

        private Builder(LocalConfig config) {
            this.config = config;
        }

        public Builder engines(EngineFactory engines) {
            this.engines = engines;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Reload {@code configFile} (whose contents, as loaded, are {@code fromFile}) on change and SIGHUP. */
        public Builder watch(Path configFile, LocalConfig fromFile) {
            this.configFile = configFile;
            this.fromFile = fromFile;
            return this;
        }

        /** False: nothing calls {@link Scheduler#tick()} except the test (with a fake clock). */
        public Builder autoTick(boolean autoTick) {
            this.autoTick = autoTick;
            return this;
        }

        public LocalServer start() {
            if (engines == null) engines = productionEngines(config);
            LocalMetrics metrics = new LocalMetrics();
            Downloads downloads = new Downloads();
            Scheduler scheduler = new Scheduler(config, engines, clock, metrics, downloads);
            metrics.bind(scheduler);
            Vertx vertx = Vertx.vertx();
            try {
                // HTTP/1 only (h2c off), so the connection exists before its first byte and StrictFraming can take its decoder
                HttpServerOptions options = new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(false)
                        .setHttp2ClearTextEnabled(false);
                HttpServer server = vertx.createHttpServer(options)
                        .connectionHandler(conn -> StrictFraming.apply(conn, options))
                        .invalidRequestHandler(InvalidRequests::handle)
                        .requestHandler(new LocalHttpApi(scheduler, metrics, config.maxRequestBytes(),
                                InternalKey.ofSha256Hex(config.apiKeySha256())));
                server.listen(config.port(), config.host()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                long timer = autoTick ? vertx.setPeriodic(tickMillis(config), id -> scheduler.tick()) : -1;
                LOG.info("qwen-local listening on {}:{} with {} model(s)", config.host(), server.actualPort(), config.models().size());
                LocalServer local = new LocalServer(vertx, server, scheduler, config, timer, downloads);
                if (configFile != null) local.watch(configFile, new ConfigLoader(ENGINES), fromFile);
                return local;
            } catch (Exception e) {
                scheduler.shutdown(Duration.ZERO);
                vertx.close();
                Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
                throw new IllegalStateException("qwen-local could not listen on " + config.host() + ":" + config.port()
                        + ": " + cause.getMessage(), cause);
            }
        }

        /** A quarter of the shortest stuck_after, between 20ms and 1s: stuck is noticed within ~1.25 × stuck_after. */
        private static long tickMillis(LocalConfig config) {
            long shortest = config.models().stream().mapToLong(m -> m.stuckAfter().toMillis()).min()
                    .orElse(ModelConfig.DEFAULT_STUCK_AFTER.toMillis());
            return Math.clamp(shortest / 4, 20L, 1_000L);
        }
    }

    public int port() {
        return server.actualPort();
    }

    /** For tests and the launcher: the scheduler behind the HTTP API (tick it when autoTick is off). */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** Model files downloading while the service runs ({@code /status} shows them as {@code downloading}). */
    public Downloads downloads() {
        return downloads;
    }

    public LocalConfig config() {
        return config;
    }

    /** Graceful stop: refuse new work, finish or cancel in-flight jobs within the grace period, stop workers. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (watcher != null) watcher.close();
        if (tickTimer >= 0) vertx.cancelTimer(tickTimer);
        LOG.info("qwen-local stopping (grace {})", config.shutdownGrace());
        // The scheduler refuses new jobs at once and waits for admitted ones; the watchdog must keep running
        // meanwhile so a stuck job cannot hold the shutdown for the whole grace period unnoticed.
        long graceTick = vertx.setPeriodic(100, id -> scheduler.tick());
        scheduler.shutdown(config.shutdownGrace());
        vertx.cancelTimer(graceTick);
        LOG.info("qwen-local jobs drained; closing connections");
        try {
            server.shutdown(1, TimeUnit.SECONDS).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("HTTP server did not stop cleanly: {}", e.toString());
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Vert.x did not stop cleanly: {}", e.toString());
        }
        LOG.info("qwen-local stopped");
    }
}
