package dev.tailgate.local.sched;

import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.local.config.ModelConfig;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFactory;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.RunningJob;
import dev.tailgate.local.store.Downloads;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.ByteSizes;
import dev.tailgate.wire.Durations;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs on models: per model {@code max_concurrency} running plus a bounded FIFO queue, lazy loading off the event
 * loop, one memory budget with LRU eviction of idle models, keep-alive unloading, and the stuck-job watchdog.
 *
 * <p>Concurrency design: one lock guards the state of every model and the budget. There are a handful of models and
 * each critical section is a few field updates, so a single lock costs nothing and rules out lock-order deadlocks
 * between eviction (which touches two models) and everything else. Nothing slow happens under the lock: engine calls
 * that may block (load, close) run on virtual threads, and listener callbacks run after the lock is released
 * (collected in an {@code after} list).
 *
 * <p>Time comes from the injected {@link Clock}; {@link #tick()} drives the watchdog and keep-alive, so tests use a
 * fake clock and call tick() instead of sleeping.
 */
public final class Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private static final Duration RETRY_SOON = Duration.ofSeconds(2);

    private final Object lock = new Object();
    private final Map<String, ModelSlot> slots = new LinkedHashMap<>();
    private final MemoryBudget budget;
    private final EngineFactory factory;
    private final Clock clock;
    private final SchedulerEvents events;
    private final Downloads downloads;
    private final ExecutorService blocking = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("qwen-local-engine-", 0).factory());
    /** Slots removed by a reload that still run or hold jobs (ticked like the others until they unload). */
    private final java.util.Set<ModelSlot> retired = new java.util.LinkedHashSet<>();
    private boolean closing;
    private boolean terminated;

    /** {@code downloads}: model files being downloaded now; their models are {@link ModelState#DOWNLOADING}. */
    public Scheduler(LocalConfig config, EngineFactory factory, Clock clock, SchedulerEvents events, Downloads downloads) {
        this.downloads = downloads;
        this.budget = new MemoryBudget(config.memoryBudgetBytes());
        this.factory = factory;
        this.clock = clock;
        this.events = events == null ? SchedulerEvents.NONE : events;
        long now = clock.millis();
        for (ModelConfig m : config.models()) slots.put(m.id(), new ModelSlot(m, now, () -> factory.unavailableReason(m.spec())));
    }

    // ---------------------------------------------------------------- admission

    /**
     * Admits a job or refuses it at once. The listener gets exactly one of onComplete/onError, from some other thread,
     * and never while the scheduler lock is held.
     */
    public Ticket submit(String modelId, EngineRequest request, JobListener listener) throws Rejected {
        List<Runnable> after = new ArrayList<>();
        Job job;
        synchronized (lock) {
            ModelSlot slot = slots.get(modelId);
            if (slot == null) throw new Rejected(ApiError.modelNotFound(modelId));
            if (closing) throw new Rejected(ApiError.unavailable("qwen-local is shutting down.", RETRY_SOON));
            String missing = slot.unavailableReason();
            if (missing != null) {
                Downloads.Snapshot download = downloads.of(modelId).orElse(null);
                // being downloaded: a retry after the ETA will succeed, so Retry-After and no operator semantics
                if (download != null) throw new Rejected(ApiError.modelDownloading("Model '" + modelId + "' is "
                        + download.describe() + ". Retry later.", download.retryAfter()));
                // the operator must pull the file: no Retry-After (a retry cannot help), x-should-retry: false
                throw new Rejected(ApiError.modelUnavailable("Model '" + modelId + "' is unavailable: " + missing));
            }
            if (slot.running.size() + slot.waiting.size() >= slot.capacity()) {
                throw new Rejected(ApiError.queueFull("Model '" + modelId + "'", slot.waiting.size(), retryAfter(slot)));
            }
            long now = clock.millis();
            job = new Job(this, slot, request, listener, now);
            slot.waiting.add(job);
            slot.lastUsedAt = now;
            pump(slot, after);
        }
        run(after);
        return job;
    }

    void cancel(Job job) {
        List<Runnable> after = new ArrayList<>();
        RunningJob handle = null;
        synchronized (lock) {
            if (job.done) return;
            if (!job.running) {
                endLocked(job, null, null, new EngineFailure(Kind.CANCELLED, "The request was cancelled by the client."), after);
            } else {
                job.cancelRequested = true; // launch() cancels it if the engine has not handed out the handle yet
                handle = job.handle;
            }
        }
        run(after);
        if (handle != null) cancelQuietly(handle);
    }

    // ---------------------------------------------------------------- dispatch

    /**
     * Applies a reloaded local.yaml. Limits, keep_alive, stuck_after and memory_budget apply at once. A model whose
     * engine settings changed (engine, file, context, threads, max_concurrency) finishes its running requests on the
     * loaded engine, then reloads with the new ones. A removed model takes no new requests (404), finishes the ones it
     * has, then unloads. New models are added unloaded. The listen address and models_dir paths need a restart.
     */
    public void reconfigure(LocalConfig next) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            if (closing) return;
            budget.resize(next.memoryBudgetBytes());
            long now = clock.millis();
            Map<String, ModelSlot> old = new LinkedHashMap<>(slots);
            slots.clear();
            for (ModelConfig m : next.models()) {
                ModelSlot slot = old.remove(m.id());
                if (slot == null) {
                    slot = new ModelSlot(m, now, () -> factory.unavailableReason(m.spec()));
                    LOG.info("model '{}' added", m.id());
                } else if (!slot.config.equals(m)) {
                    boolean engineChanged = !slot.config.spec().equals(m.spec());
                    slot.config = m;
                    slot.engineUnavailable = () -> factory.unavailableReason(m.spec());
                    if (engineChanged && (slot.model != null || slot.loading)) slot.stale = true;
                    LOG.info("model '{}' reconfigured{}", m.id(), slot.stale ? " (reloads once its running requests finish)" : "");
                }
                slots.put(m.id(), slot);
                pump(slot, after);
            }
            for (ModelSlot gone : old.values()) {
                gone.removed = true;
                retired.add(gone);
                LOG.info("model '{}' removed{}", gone.id(), gone.running.isEmpty() && gone.waiting.isEmpty() ? ""
                        : " (finishing its " + (gone.running.size() + gone.waiting.size()) + " request(s) first)");
                pump(gone, after);
            }
        }
        run(after);
    }

    /** Unloads a model whose config changed or was removed once it has no running job. Lock held. */
    private void retireIfIdle(ModelSlot slot, List<Runnable> after) {
        boolean retiring = slot.removed ? slot.running.isEmpty() && slot.waiting.isEmpty() : slot.stale && slot.running.isEmpty();
        if (!retiring || slot.loading) return;
        LoadedModel model = slot.model;
        if (model != null) {
            LOG.info("unloading model '{}': {}", slot.id(), slot.removed ? "removed from the config" : "its config changed");
            slot.model = null;
            budget.release(slot);
            after.add(() -> closeLater(model));
        }
        slot.stale = false;
        if (slot.removed) retired.remove(slot);
    }

    /** Moves waiting jobs onto free slots, loading the model first when needed. Lock held. */
    private void pump(ModelSlot slot, List<Runnable> after) {
        if (slot.model != null && !slot.model.alive()) died(slot, slot.model, after);
        retireIfIdle(slot, after);
        if (slot.stale) return; // waiting jobs start on the reloaded engine
        if (slot.waiting.isEmpty() || terminated) return;
        if (slot.model == null) {
            if (!slot.loading) {
                slot.loading = true;
                after.add(() -> startLoad(slot));
            }
            return;
        }
        long now = clock.millis();
        while (slot.running.size() < slot.config.maxConcurrency() && !slot.waiting.isEmpty()) {
            Job job = slot.waiting.poll();
            LoadedModel model = slot.model;
            job.running = true;
            job.startedAt = now;
            job.lastProgressAt = now;
            job.model = model;
            slot.running.add(job);
            // Off the caller's thread: this may be the event loop, and a submit writes to the worker's socket.
            after.add(() -> offload(() -> launch(job, model)));
        }
        slot.lastUsedAt = now;
    }

    private void launch(Job job, LoadedModel model) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            if (job.done) return; // ended (watchdog, death, shutdown) before it reached the engine
            if (!job.cancelRequested) job.engineNanos = System.nanoTime();
            if (job.cancelRequested) { // the client left before the engine saw the job: never start it
                endLocked(job, null, null, new EngineFailure(Kind.CANCELLED, "The request was cancelled by the client."), after);
                pump(job.slot, after);
            }
        }
        if (!after.isEmpty()) {
            run(after);
            return;
        }
        events.started(job.slot.id(), Duration.ofMillis(Math.max(0, job.startedAt - job.enqueuedAt)));
        RunningJob handle;
        try {
            handle = model.submit(job.request, new EngineSide(job));
        } catch (RuntimeException e) {
            LOG.warn("model '{}' refused a job: {}", job.slot.id(), e.toString());
            finish(job, null, null, new EngineFailure(Kind.ENGINE_ERROR, "The engine refused the job: " + e.getMessage()));
            return;
        }
        boolean cancelNow;
        synchronized (lock) {
            job.handle = handle;
            cancelNow = job.cancelRequested && !job.done;
        }
        if (cancelNow) cancelQuietly(handle);
    }

    /** The engine's view of a job: every callback is progress for the watchdog; only the first terminal one counts. */
    private final class EngineSide implements JobListener {
        private final Job job;

        EngineSide(Job job) {
            this.job = job;
        }

        private boolean progress() {
            synchronized (lock) {
                if (job.done) return false;
                job.lastProgressAt = clock.millis();
                return true;
            }
        }

        @Override
        public void onDelta(String text) {
            if (progress()) safely(() -> job.downstream.onDelta(text));
        }

        @Override
        public void onReasoning(String text) {
            if (progress()) safely(() -> job.downstream.onReasoning(text));
        }

        @Override
        public void onToolCall(ToolCall call) {
            if (progress()) safely(() -> job.downstream.onToolCall(call));
        }

        /** The watchdog's alone: a call being written or a prompt being evaluated has nothing for the client yet. */
        @Override
        public void onProgress() {
            progress();
        }

        @Override
        public void onEmbeddings(List<float[]> vectors) {
            if (progress()) safely(() -> job.downstream.onEmbeddings(vectors));
        }

        @Override
        public void onSamples(float[] samples, int sampleRate) {
            if (progress()) safely(() -> job.downstream.onSamples(samples, sampleRate));
        }

        @Override
        public void onTranscript(dev.tailgate.local.engine.Transcript transcript) {
            if (progress()) safely(() -> job.downstream.onTranscript(transcript));
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            finish(job, usage, finishReason, null);
        }

        @Override
        public void onError(EngineFailure failure) {
            finish(job, null, null, failure == null ? new EngineFailure(Kind.ENGINE_ERROR, "unknown engine error") : failure);
        }
    }

    private void finish(Job job, JobListener.Usage usage, String finishReason, EngineFailure failure) {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            if (job.done) return;
            endLocked(job, usage, finishReason, failure, after);
            ModelSlot slot = job.slot;
            if (failure != null && failure.kind() == Kind.WORKER_DIED && job.model != null && slot.model == job.model
                    && !job.model.alive()) {
                died(slot, job.model, after);
            }
            pump(slot, after);
        }
        run(after);
    }

    /** Ends a job (first outcome wins) and schedules the one terminal callback. Lock held. */
    private void endLocked(Job job, JobListener.Usage usage, String finishReason, EngineFailure failure, List<Runnable> after) {
        if (job.done) return;
        job.done = true;
        ModelSlot slot = job.slot;
        long now = clock.millis();
        if (job.running) {
            slot.running.remove(job);
            slot.recordDuration(now - job.startedAt);
        } else {
            slot.waiting.remove(job);
        }
        slot.lastUsedAt = now;
        lock.notifyAll(); // shutdown waits for the last job
        Duration total = Duration.ofMillis(Math.max(0, now - job.enqueuedAt));
        String outcome = failure == null ? "ok" : failure.kind().name().toLowerCase(java.util.Locale.ROOT);
        int tokens = usage == null ? 0 : usage.completionTokens();
        Duration onEngine = job.engineNanos == 0 ? null : Duration.ofNanos(System.nanoTime() - job.engineNanos);
        after.add(() -> {
            safely(() -> events.finished(slot.id(), outcome, total, onEngine, tokens));
            if (failure == null) safely(() -> job.downstream.onComplete(usage, finishReason));
            else safely(() -> job.downstream.onError(failure));
        });
    }

    // ---------------------------------------------------------------- loading and memory

    private void startLoad(ModelSlot slot) {
        try {
            blocking.execute(() -> load(slot));
        } catch (RejectedExecutionException e) {
            loadFailed(slot, "qwen-local is shutting down", false);
        }
    }

    /** On a virtual thread: reserve memory (evicting idle models), load, then dispatch or fail the waiting jobs. */
    private void load(ModelSlot slot) {
        ModelConfig cfg;
        synchronized (lock) {
            cfg = slot.config; // a reload may replace it
        }
        long estimate;
        try {
            estimate = Math.max(0, factory.estimateMemoryBytes(cfg.spec()));
        } catch (RuntimeException e) {
            estimate = 0;
        }
        List<LoadedModel> evicted = new ArrayList<>();
        String refusal = null;
        boolean permanent = false;
        synchronized (lock) {
            if (!budget.couldEverFit(estimate)) {
                refusal = "model '" + cfg.id() + "' needs about " + ByteSizes.format(estimate) + " but memory_budget is "
                        + ByteSizes.format(budget.budgetBytes()) + " — raise memory_budget or use a smaller model file";
                permanent = true;
            } else {
                refusal = budget.reserve(slot, estimate, slots.values(), evicted);
                if (!evicted.isEmpty()) LOG.info("unloaded {} idle model(s) to make room for '{}'", evicted.size(), cfg.id());
            }
        }
        // Evicted models are closed before loading: their memory must really be free first.
        evicted.forEach(Scheduler::closeQuietly);
        if (refusal != null) {
            loadFailed(slot, refusal, permanent);
            return;
        }
        LoadedModel loaded = null;
        String error = null;
        long loadStart = System.nanoTime();
        try {
            loaded = factory.load(cfg.spec());
            if (loaded == null) error = "the engine returned no model";
        } catch (EngineException e) {
            error = e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("loading model '{}' failed", cfg.id(), e);
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - loadStart);
        boolean ok = error == null;
        safely(() -> events.loaded(cfg.id(), took, ok));
        if (error != null) {
            loadFailed(slot, "loading failed: " + error, true);
            return;
        }
        List<Runnable> after = new ArrayList<>();
        boolean discard;
        synchronized (lock) {
            slot.loading = false;
            discard = terminated;
            if (!discard) {
                slot.model = loaded;
                slot.problem = ModelSlot.Problem.NONE;
                slot.reason = null;
                slot.estimateBytes = estimate;
                budget.hold(slot, Math.max(estimate, loaded.memoryBytes()));
                slot.lastUsedAt = clock.millis();
                pump(slot, after);
            } else {
                budget.release(slot);
            }
        }
        if (discard) closeQuietly(loaded);
        LOG.info("model '{}' loaded", cfg.id());
        run(after);
    }

    private void loadFailed(ModelSlot slot, String reason, boolean markFailed) {
        LOG.warn("model '{}' not loaded: {}", slot.id(), reason);
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            slot.loading = false;
            budget.release(slot);
            if (markFailed) slot.problem = ModelSlot.Problem.LOAD_FAILED;
            slot.reason = reason;
            EngineFailure failure = new EngineFailure(Kind.WORKER_DIED, "Model '" + slot.id() + "' is unavailable: " + reason);
            for (Job j : List.copyOf(slot.waiting)) endLocked(j, null, null, failure, after);
        }
        run(after);
    }

    // ---------------------------------------------------------------- watchdog, death, keep-alive

    /**
     * The watchdog and keep-alive pass: kills models with a job that made no progress for {@code stuck_after},
     * notices dead workers, unloads models idle longer than {@code keep_alive}. Never blocks (closing happens on a
     * virtual thread), so it may run on an event-loop timer.
     */
    public void tick() {
        List<Runnable> after = new ArrayList<>();
        synchronized (lock) {
            long now = clock.millis();
            for (ModelSlot slot : Stream.concat(slots.values().stream(), List.copyOf(retired).stream()).toList()) {
                LoadedModel model = slot.model;
                if (model == null) continue;
                if (!model.alive()) {
                    died(slot, model, after);
                    pump(slot, after);
                    continue;
                }
                long stuckMs = slot.config.stuckAfter().toMillis();
                Job stuck = slot.running.stream().filter(j -> now - j.lastProgressAt >= stuckMs).findFirst().orElse(null);
                if (stuck != null) {
                    stuckLocked(slot, stuck, now, after);
                    pump(slot, after);
                    continue;
                }
                long keepMs = slot.config.keepAlive().toMillis();
                boolean fileGone = slot.config.missingFileReason() != null; // `models rm` while loaded
                if (slot.idleLoaded() && (fileGone || keepMs > 0 && now - slot.lastUsedAt >= keepMs)) {
                    LOG.info("unloading model '{}': {}", slot.id(), fileGone ? "its file was removed"
                            : Durations.format(slot.config.keepAlive()) + " idle (keep_alive)");
                    slot.model = null;
                    slot.reason = null;
                    budget.release(slot);
                    after.add(() -> closeLater(model));
                }
            }
        }
        run(after);
    }

    private void stuckLocked(ModelSlot slot, Job stuck, long now, List<Runnable> after) {
        LoadedModel model = slot.model;
        String window = Durations.format(slot.config.stuckAfter());
        LOG.warn("model '{}' is stuck: a job made no progress for {}; killing its worker", slot.id(), window);
        slot.model = null;
        slot.problem = ModelSlot.Problem.STUCK;
        slot.reason = "a job made no progress for " + Durations.format(Duration.ofMillis(now - stuck.lastProgressAt))
                + " (stuck_after " + window + "); the worker was killed and the next request reloads the model";
        budget.release(slot);
        for (Job j : List.copyOf(slot.running)) {
            String msg = j == stuck
                    ? "Model '" + slot.id() + "' got stuck: no progress for " + window + ", so its worker was killed. Retry the request."
                    : "Model '" + slot.id() + "' was restarted because another request on it got stuck. Retry the request.";
            endLocked(j, null, null, new EngineFailure(Kind.WORKER_DIED, msg), after);
        }
        after.add(() -> closeLater(model));
    }

    /** The worker of {@code model} is gone: forget it (the next job reloads) and fail what ran on it. Lock held. */
    private void died(ModelSlot slot, LoadedModel model, List<Runnable> after) {
        String why = model.deathReason() != null ? model.deathReason() : "no reason given";
        LOG.warn("model '{}' worker died: {}", slot.id(), why);
        slot.model = null;
        slot.problem = ModelSlot.Problem.DIED;
        slot.reason = "worker died: " + why + "; the next request reloads the model";
        budget.release(slot);
        EngineFailure failure = new EngineFailure(Kind.WORKER_DIED, "Model '" + slot.id() + "' worker died: " + why + ". Retry the request.");
        for (Job j : List.copyOf(slot.running)) endLocked(j, null, null, failure, after);
        after.add(() -> closeLater(model));
    }

    /** What {@link #unload} did. */
    public enum Unload { UNLOADED, NOT_LOADED, BUSY, UNKNOWN }

    /**
     * Unloads an idle model now (as keep-alive would), freeing its memory; a model with jobs running or waiting is left
     * alone ({@link Unload#BUSY}): the operator asks again once it is idle, no request is cut off.
     */
    public Unload unload(String modelId) {
        List<Runnable> after = new ArrayList<>();
        Unload result;
        synchronized (lock) {
            ModelSlot slot = slots.get(modelId);
            if (slot == null) return Unload.UNKNOWN;
            if (slot.model == null && !slot.loading) return Unload.NOT_LOADED;
            if (!slot.idleLoaded()) return Unload.BUSY;
            LoadedModel model = slot.model;
            LOG.info("unloading model '{}': asked by the operator", slot.id());
            slot.model = null;
            slot.reason = null;
            budget.release(slot);
            after.add(() -> closeLater(model));
            result = Unload.UNLOADED;
        }
        run(after);
        return result;
    }

    // ---------------------------------------------------------------- health

    public List<ModelHealth> health() {
        synchronized (lock) {
            long now = clock.millis();
            budget.refresh(slots.values());
            List<ModelHealth> out = new ArrayList<>(slots.size());
            for (ModelSlot slot : slots.values()) {
                ModelState state = slot.state();
                String reason = state == ModelState.UNAVAILABLE ? slot.unavailableReason() : slot.reason;
                Downloads.Snapshot download = state == ModelState.UNAVAILABLE ? downloads.of(slot.id()).orElse(null) : null;
                if (download != null) {
                    state = ModelState.DOWNLOADING;
                    reason = download.describe() + "; it serves once the file is complete";
                }
                long oldest = Stream.concat(slot.running.stream(), slot.waiting.stream())
                        .mapToLong(j -> now - j.enqueuedAt).max().orElse(0);
                long lastProgress = slot.running.stream().mapToLong(j -> now - j.lastProgressAt).min().orElse(0);
                // measured when loaded; while loading, what the budget holds for it
                long memory = slot.model != null ? Math.max(0, slot.model.memoryBytes()) : budget.heldBy(slot);
                long keepMs = slot.config.keepAlive().toMillis();
                long unloadIn = slot.idleLoaded() && keepMs > 0 ? Math.max(0, keepMs - (now - slot.lastUsedAt)) : -1;
                out.add(new ModelHealth(slot.id(), slot.config.capability().wireName(), state, reason,
                        slot.running.size(), slot.waiting.size(), Math.max(0, oldest), Math.max(0, lastProgress), memory, unloadIn,
                        slot.model != null ? slot.model.footprint() : null, download));
            }
            return out;
        }
    }

    /** True once {@link #shutdown} began: new jobs are refused. */
    public boolean closing() {
        synchronized (lock) {
            return closing;
        }
    }

    public MemoryUse memory() {
        synchronized (lock) {
            return new MemoryUse(budget.budgetBytes(), budget.used());
        }
    }

    public ModelConfig model(String id) {
        synchronized (lock) {
            ModelSlot s = slots.get(id);
            return s == null ? null : s.config;
        }
    }

    public List<ModelConfig> models() {
        synchronized (lock) {
            return slots.values().stream().map(s -> s.config).toList();
        }
    }

    private Duration retryAfter(ModelSlot slot) {
        if (slot.avgJobMillis <= 0) return Duration.ofSeconds(1);
        double ms = slot.avgJobMillis * (slot.waiting.size() + 1) / slot.config.maxConcurrency();
        return Duration.ofMillis(Math.clamp((long) ms, 1_000L, 60_000L));
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Refuses new jobs, lets admitted ones finish for up to {@code grace}, cancels the rest and closes every model.
     * Blocking; idempotent.
     */
    public void shutdown(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<Runnable> after = new ArrayList<>();
        List<RunningJob> handles = new ArrayList<>();
        List<LoadedModel> models = new ArrayList<>();
        synchronized (lock) {
            closing = true;
            List<ModelSlot> all = Stream.concat(slots.values().stream(), retired.stream()).toList();
            while (all.stream().anyMatch(s -> !s.running.isEmpty() || !s.waiting.isEmpty())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            terminated = true;
            EngineFailure failure = new EngineFailure(Kind.CANCELLED, "qwen-local is shutting down; the request was cancelled.");
            for (ModelSlot slot : all) {
                for (Job j : List.copyOf(slot.running)) {
                    if (j.handle != null) handles.add(j.handle);
                    endLocked(j, null, null, failure, after);
                }
                for (Job j : List.copyOf(slot.waiting)) endLocked(j, null, null, failure, after);
                if (slot.model != null) models.add(slot.model);
                slot.model = null;
            }
            budget.releaseAll();
        }
        handles.forEach(Scheduler::cancelQuietly);
        run(after);
        models.forEach(Scheduler::closeQuietly);
        blocking.shutdown();
    }

    // ---------------------------------------------------------------- helpers

    private void offload(Runnable task) {
        try {
            blocking.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void closeLater(LoadedModel model) {
        try {
            blocking.execute(() -> closeQuietly(model));
        } catch (RejectedExecutionException e) {
            closeQuietly(model);
        }
    }

    private static void closeQuietly(LoadedModel model) {
        try {
            model.close();
        } catch (RuntimeException e) {
            LOG.warn("closing a model failed: {}", e.toString());
        }
    }

    private static void cancelQuietly(RunningJob handle) {
        try {
            handle.cancel();
        } catch (RuntimeException e) {
            LOG.warn("cancelling a job failed: {}", e.toString());
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("a job listener threw: {}", e.toString());
        }
    }

    private static void run(List<Runnable> after) {
        for (Runnable r : after) safely(r);
    }
}
