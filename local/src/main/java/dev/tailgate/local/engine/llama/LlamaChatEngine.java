package dev.tailgate.local.engine.llama;

import com.fasterxml.jackson.databind.JsonNode;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RunningJob;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A GGUF chat model running in this process through java-llama.cpp. Jobs run one at a time, in order, on the
 * engine's own thread; {@link #submit} never blocks.
 *
 * <p>The production path hosts this class inside a worker process (see {@code engine.worker}): llama.cpp can abort the
 * process, and its {@code close()} does not return the model's memory. In-process use is for benchmarks and tests.
 *
 * <p>Token accounting: one streamed piece per generated token, except that llama.cpp holds back a token that ends in
 * the middle of a UTF-8 character and sends it with the next one, so a character split over several tokens counts
 * once. When generation hits the limit, the completion count is exactly {@code max_tokens}.
 */
public final class LlamaChatEngine implements LoadedModel {
    private static final int QUEUE_CAPACITY = 256;

    private final ModelSpec spec;
    private final LlamaModel model;
    private final ThreadPoolExecutor executor;
    private final long memoryEstimate;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Job running;

    private LlamaChatEngine(ModelSpec spec, LlamaModel model, long memoryEstimate) {
        this.spec = spec;
        this.model = model;
        this.memoryEstimate = memoryEstimate;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
            Thread t = new Thread(r, "llama-" + spec.id());
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks the file, then loads it. Never hands llama.cpp a file whose architecture it cannot run. */
    public static LlamaChatEngine load(ModelSpec spec) throws EngineException {
        if (spec.file() == null) throw new EngineException("model '" + spec.id() + "' has no GGUF file configured");
        GgufHeader header;
        try {
            header = GgufHeader.read(spec.file());
        } catch (IOException e) {
            throw new EngineException("cannot load '" + spec.id() + "': " + e.getMessage(), e);
        }
        String arch = header.architecture();
        if (!SupportedArchitectures.isSupported(arch)) {
            throw new EngineException("model '" + spec.id() + "' has architecture '" + arch
                    + "', which the bundled llama.cpp (b4916) cannot run; supported: "
                    + String.join(", ", SupportedArchitectures.VERIFIED.stream().sorted().toList()));
        }
        LlamaNative.prepare();
        int threads = spec.threads() > 0 ? spec.threads() : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        ModelParameters params = new ModelParameters()
                .setModel(spec.file().toString())
                .setCtxSize(spec.context() > 0 ? spec.context() : 4096)
                .setThreads(threads)
                .setThreadsBatch(threads)
                .setParallel(1)
                .disableContextShift()
                .disableLog();
        try {
            return new LlamaChatEngine(spec, new LlamaModel(params), LlamaMemoryEstimate.bytes(spec));
        } catch (RuntimeException e) {
            throw new EngineException("llama.cpp could not load '" + spec.id() + "': " + e.getMessage(), e);
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    @Override
    public RunningJob submit(EngineRequest request, JobListener listener) {
        Job job = new Job(request, listener);
        if (closed.get()) {
            job.fail(Kind.CANCELLED, "model is unloading");
            return job;
        }
        try {
            executor.execute(job);
        } catch (RejectedExecutionException e) {
            job.fail(closed.get() ? Kind.CANCELLED : Kind.ENGINE_ERROR,
                    closed.get() ? "model is unloading" : "engine queue is full");
        }
        return job;
    }

    @Override
    public long memoryBytes() {
        return memoryEstimate;
    }

    @Override
    public boolean alive() {
        return !closed.get();
    }

    @Override
    public String deathReason() {
        return closed.get() ? "closed" : null;
    }

    /**
     * Cancels queued and running jobs and stops llama.cpp's task loop. The native context itself is not freed by
     * java-llama.cpp 4.2.0 — only ending the process returns that memory, which is what worker processes are for.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        for (Runnable r : executor.shutdownNow()) ((Job) r).fail(Kind.CANCELLED, "model is unloading");
        Job current = running;
        if (current != null) current.cancel();
        try {
            if (executor.awaitTermination(10, TimeUnit.SECONDS)) model.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runChat(Job job, EngineRequest.Chat chat) {
        ChatOptions options;
        String prompt;
        int promptTokens;
        try {
            options = ChatOptions.from(chat.body());
            prompt = model.applyTemplate(options.messagesJson());
            TestHooks.maybeHang(prompt);
            promptTokens = prompt.isEmpty() ? 0 : model.encode(prompt).length;
        } catch (BadChatRequest e) {
            job.fail(Kind.BAD_REQUEST, e.getMessage());
            return;
        }
        // An empty prompt aborts llama.cpp b4916: never send one.
        if (promptTokens == 0) {
            job.fail(Kind.BAD_REQUEST, "the prompt is empty");
            return;
        }
        int context = spec.context() > 0 ? spec.context() : 4096;
        if (promptTokens >= context) {
            job.fail(Kind.BAD_REQUEST, "the prompt is " + promptTokens + " tokens; this model's context is " + context + " tokens");
            return;
        }
        int room = context - promptTokens;
        int limit = options.maxTokens() == null ? room : Math.min(options.maxTokens(), room);
        InferenceParameters p = new InferenceParameters(prompt).setNPredict(limit).setCachePrompt(true);
        if (options.temperature() != null) p.setTemperature(options.temperature());
        if (options.topP() != null) p.setTopP(options.topP());
        if (options.seed() != null) p.setSeed(options.seed());
        if (options.frequencyPenalty() != null) p.setFrequencyPenalty(options.frequencyPenalty());
        if (options.presencePenalty() != null) p.setPresencePenalty(options.presencePenalty());
        if (options.jsonSchema() != null) RawInferenceParameters.put(p, "json_schema", options.jsonSchema());

        StopMatcher stops = new StopMatcher(options.stop(), job.listener::onDelta);
        int pieces = 0;
        boolean lastPieceEmpty = false;
        LlamaIterator it;
        try {
            it = model.generate(p).iterator();
        } catch (RuntimeException e) {
            job.fail(Kind.BAD_REQUEST, nativeMessage(e));
            return;
        }
        try {
            while (it.hasNext()) {
                if (job.cancelled) {
                    // Cancel from this thread only: cancelling while another thread waits for the task's next
                    // result would leave that thread waiting forever inside llama.cpp.
                    it.cancel();
                    job.fail(Kind.CANCELLED, "cancelled");
                    return;
                }
                LlamaOutput out = it.next();
                if (!it.hasNext()) break; // the final result: in stream mode it carries no text
                pieces++;
                lastPieceEmpty = out.text.isEmpty();
                if (stops.accept(out.text)) {
                    it.cancel();
                    break;
                }
            }
        } catch (RuntimeException e) {
            job.fail(Kind.ENGINE_ERROR, nativeMessage(e));
            return;
        }
        String finish;
        int completion;
        if (stops.stopped()) {
            finish = "stop";
            completion = pieces;
        } else if (lastPieceEmpty && pieces < limit) {
            finish = "stop"; // the end-of-turn token renders as an empty piece
            completion = pieces;
        } else {
            finish = "length";
            completion = limit;
        }
        stops.flush();
        job.complete(new JobListener.Usage(promptTokens, completion), finish);
    }

    /** llama.cpp reports request errors as a JSON object; keep just its message. */
    private static String nativeMessage(RuntimeException e) {
        String m = e.getMessage() == null ? "llama.cpp error" : e.getMessage();
        if (m.startsWith("{")) {
            try {
                JsonNode n = Json.parse(m);
                if (n.path("message").isTextual()) return n.get("message").asText();
            } catch (RuntimeException ignored) {
                // not JSON after all
            }
        }
        return m;
    }

    /** One submitted job; ends exactly once. */
    private final class Job implements Runnable, RunningJob {
        final EngineRequest request;
        final JobListener listener;
        final AtomicBoolean ended = new AtomicBoolean();
        volatile boolean cancelled;

        Job(EngineRequest request, JobListener listener) {
            this.request = request;
            this.listener = listener;
        }

        @Override
        public void run() {
            if (cancelled) {
                fail(Kind.CANCELLED, "cancelled");
                return;
            }
            running = this;
            try {
                switch (request) {
                    case EngineRequest.Chat chat -> runChat(this, chat);
                    case EngineRequest.Embed e -> fail(Kind.BAD_REQUEST, "model '" + spec.id() + "' is a chat model; it does not serve embeddings");
                }
            } catch (RuntimeException | Error e) {
                fail(Kind.ENGINE_ERROR, "llama.cpp engine failed: " + e);
            } finally {
                running = null;
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            if (executor.remove(this)) fail(Kind.CANCELLED, "cancelled");
        }

        void complete(JobListener.Usage usage, String finish) {
            if (ended.compareAndSet(false, true)) listener.onComplete(usage, finish);
        }

        void fail(Kind kind, String message) {
            if (ended.compareAndSet(false, true)) listener.onError(new EngineFailure(kind, message));
        }
    }
}
