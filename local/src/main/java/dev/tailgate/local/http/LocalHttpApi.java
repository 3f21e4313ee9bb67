package dev.tailgate.local.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.config.ModelConfig;
import dev.tailgate.local.metrics.LocalMetrics;
import dev.tailgate.local.sched.MemoryUse;
import dev.tailgate.local.sched.ModelHealth;
import dev.tailgate.local.sched.Scheduler;
import dev.tailgate.local.store.Downloads;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** qwen-local's HTTP surface: routes, body limit, and the error shape for everything that goes wrong. */
public final class LocalHttpApi implements Handler<HttpServerRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(LocalHttpApi.class);

    private final Scheduler scheduler;
    private final LocalMetrics metrics;
    private final long maxBodyBytes;
    private final ChatCompletions chat;
    private final Embeddings embeddings;
    private final Speech speech;
    private final Transcriptions transcriptions;
    private final long startedEpochSeconds = System.currentTimeMillis() / 1000;
    private final InternalKey key;

    /** {@code key}: what every request but /health must carry ({@link InternalKey#OPEN}: nothing). */
    public LocalHttpApi(Scheduler scheduler, LocalMetrics metrics, long maxBodyBytes, InternalKey key) {
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.key = key;
        this.chat = new ChatCompletions(scheduler);
        this.embeddings = new Embeddings(scheduler);
        this.speech = new Speech(scheduler);
        this.transcriptions = new Transcriptions(scheduler);
    }

    @Override
    public void handle(HttpServerRequest req) {
        String path = req.path();
        HttpMethod method = req.method();
        Context context = Vertx.currentContext();
        Exchange ex = new Exchange(req, context, metrics, endpointLabel(path));
        try {
            // /health stays open: it says only whether the service can serve, and supervisors probe it without a key
            if (!path.equals("/health") && !key.allows(req.getHeader("authorization"))) {
                ex.error(InternalKey.refusal());
                return;
            }
            switch (path) {
                case "/health" -> get(ex, method, () -> health(ex));
                case "/admin/unload" -> post(ex, method, this::unload);
                case "/status" -> get(ex, method, () -> ex.json(200, status()));
                case "/metrics" -> get(ex, method, () -> ex.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
                case "/v1/models" -> get(ex, method, () -> ex.json(200, models()));
                case "/v1/chat/completions" -> post(ex, method, chat::handle);
                case "/v1/embeddings" -> post(ex, method, embeddings::handle);
                case "/v1/audio/speech" -> post(ex, method, speech::handle);
                case "/v1/audio/voices" -> get(ex, method, () -> ex.json(200, speech.voices(req.getParam("model"))));
                case "/v1/audio/transcriptions" -> transcriptions.handle(ex, method, false);
                case "/v1/audio/translations" -> transcriptions.handle(ex, method, true);
                default -> ex.error(ApiError.notFound("Unknown endpoint: " + method + " " + path));
            }
        } catch (BadRequest e) {
            ex.error(e.error);
        } catch (RuntimeException e) {
            LOG.error("unexpected error on {} {}", method, path, e);
            ex.error(ApiError.internal("Internal error in qwen-local; see its log."));
        }
    }

    private static String endpointLabel(String path) {
        return switch (path) {
            case "/health", "/status", "/metrics", "/admin/unload", "/v1/models", "/v1/chat/completions", "/v1/embeddings",
                 "/v1/audio/speech", "/v1/audio/voices", "/v1/audio/transcriptions", "/v1/audio/translations" -> path;
            default -> "other";
        };
    }

    private static void get(Exchange ex, HttpMethod method, Runnable action) {
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            ex.error(ApiError.methodNotAllowed("Use GET for " + ex.request.path() + "."));
            return;
        }
        action.run();
    }

    /** Reads the body up to the limit (413 beyond it, then the connection is closed), then runs the handler. */
    private void post(Exchange ex, HttpMethod method, BiConsumer<Exchange, byte[]> handler) {
        if (method != HttpMethod.POST) {
            ex.error(ApiError.methodNotAllowed("Use POST for " + ex.request.path() + "."));
            return;
        }
        HttpServerRequest req = ex.request;
        String declared = req.getHeader("content-length");
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n > maxBodyBytes) {
                tooLarge(ex);
                return;
            }
        }
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        req.handler(chunk -> {
            if (refused[0]) return;
            if ((long) body.length() + chunk.length() > maxBodyBytes) {
                refused[0] = true;
                tooLarge(ex);
                return;
            }
            body.appendBuffer(chunk);
        });
        req.exceptionHandler(e -> LOG.debug("request body failed: {}", e.toString()));
        req.endHandler(v -> {
            if (refused[0]) return;
            try {
                handler.accept(ex, body.getBytes());
            } catch (BadRequest e) {
                ex.error(e.error);
            } catch (RuntimeException e) {
                LOG.error("unexpected error on POST {}", req.path(), e);
                ex.error(ApiError.internal("Internal error in qwen-local; see its log."));
            }
        });
    }

    private void tooLarge(Exchange ex) {
        // The rest of the body is not worth reading: answer, then drop the connection.
        ex.response.putHeader("connection", "close");
        ex.error(ApiError.tooLarge(maxBodyBytes)).onComplete(r -> ex.request.connection().close());
    }

    private ObjectNode models() {
        ObjectNode root = Json.object();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ModelConfig m : scheduler.models()) {
            ObjectNode e = data.addObject();
            e.put("id", m.id());
            e.put("object", "model");
            e.put("created", startedEpochSeconds);
            e.put("owned_by", "qwen-local");
            e.put("capability", m.capability().wireName());
        }
        return root;
    }

    /** GET /status in the shape docs/status.md documents (LocalEndpointsDocTest holds the two together). */
    ObjectNode status() {
        List<ModelHealth> health = scheduler.health();
        MemoryUse memory = scheduler.memory();
        ObjectNode root = Json.object();
        root.put("status", overall(health));
        ArrayNode models = root.putArray("models");
        for (ModelHealth h : health) {
            ObjectNode m = models.addObject();
            m.put("id", h.id());
            m.put("capability", h.capability());
            ModelConfig cfg = scheduler.model(h.id());
            if (cfg != null) {
                m.put("engine", cfg.engine());
                // the gateway's per-model limiter mirrors these, so it never sends more than this model accepts
                m.put("max_concurrency", cfg.maxConcurrency());
                m.put("max_queue", cfg.maxQueue());
            }
            m.put("state", h.state().wireName());
            if (h.reason() == null) m.putNull("reason"); else m.put("reason", h.reason());
            m.put("in_flight", h.inFlight());
            m.put("queued", h.queued());
            m.put("oldest_job_ms", h.oldestJobMs());
            m.put("last_progress_ms", h.lastProgressMs());
            m.put("memory_bytes", h.memoryBytes());
            if (h.process() != null) {
                ObjectNode p = m.putObject("process");
                p.put("pid", h.process().pid());
                p.put("rss_bytes", h.process().rssBytes());
                p.put("weights_bytes", h.process().weightsBytes());
                p.put("overhead_bytes", h.process().overheadBytes());
            }
            if (cfg != null) m.put("keep_alive_ms", cfg.keepAlive().toMillis());
            if (h.unloadInMs() >= 0) m.put("unload_in_ms", h.unloadInMs()); else m.putNull("unload_in_ms");
            Downloads.Snapshot d = h.download();
            if (d != null) {
                ObjectNode dl = m.putObject("download");
                dl.put("file", d.fileName());
                dl.put("percent", d.percent());
                dl.put("bytes", d.bytes());
                dl.put("total_bytes", d.totalBytes());
                dl.put("bytes_per_second", d.bytesPerSecond());
                if (d.etaSeconds() >= 0) dl.put("eta_seconds", d.etaSeconds()); else dl.putNull("eta_seconds");
            }
        }
        ObjectNode mem = root.putObject("memory");
        mem.put("budget_bytes", memory.budgetBytes());
        mem.put("used_bytes", memory.usedBytes());
        return root;
    }

    /** POST /admin/unload {"model": ID}: frees an idle model's memory now; a busy one is refused (409, retry later). */
    private void unload(Exchange ex, byte[] body) {
        String model = Requests.requiredString(Requests.object(body), "model");
        Scheduler.Unload result = scheduler.unload(model);
        switch (result) {
            case UNKNOWN -> ex.error(ApiError.modelNotFound(model));
            case BUSY -> ex.error(new ApiError(409, "invalid_request_error", "model_busy", "Model '" + model
                    + "' is running or queueing requests; unload it once it is idle.", "model", java.time.Duration.ofSeconds(1)));
            case NOT_LOADED, UNLOADED -> {
                ObjectNode r = Json.object();
                r.put("model", model);
                r.put("unloaded", true);
                r.put("was_loaded", result == Scheduler.Unload.UNLOADED);
                ex.json(200, r);
            }
        }
    }

    /** ok: every model can serve; degraded: some cannot; unavailable: none can (or none is configured). */
    static String overall(List<ModelHealth> health) {
        long serving = health.stream().filter(h -> h.state().canServe()).count();
        if (serving == 0) return "unavailable";
        return serving == health.size() ? "ok" : "degraded";
    }

    private void health(Exchange ex) {
        List<ModelHealth> health = scheduler.health();
        String overall = scheduler.closing() ? "unavailable" : overall(health);
        ObjectNode body = Json.object();
        body.put("status", overall);
        if (!overall.equals("unavailable")) {
            ex.json(200, body);
            return;
        }
        String reason = scheduler.closing() ? "qwen-local is shutting down"
                : health.isEmpty() ? "no models are configured"
                : "no model can serve: " + String.join("; ", health.stream()
                        .map(h -> h.id() + " is " + h.state().wireName() + (h.reason() == null ? "" : " (" + h.reason() + ")"))
                        .toList());
        body.put("reason", reason);
        ex.response.putHeader("retry-after", "30");
        ex.json(503, body);
    }
}
