package dev.tailgate.local.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ProcessFootprint;
import dev.tailgate.local.engine.ProcessMemory;
import dev.tailgate.local.engine.RunningJob;
import dev.tailgate.local.engine.llama.AssistantOutput;
import dev.tailgate.local.engine.llama.BadChatRequest;
import dev.tailgate.local.engine.llama.ChatOptions;
import dev.tailgate.local.engine.llama.GgufHeader;
import dev.tailgate.wire.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model served by a {@code llama-server} process that this object owns: started on a private loopback port with a
 * random API key (other local users cannot use it), {@code --jinja}, {@code -np max_concurrency} slots; its output goes
 * to {@code <logs>/<model>.log}. Each job runs on a virtual thread; its stream from the OpenAI endpoints is parsed on the
 * HTTP client's selector thread as it arrives, and every token is a progress callback — so is every piece of a tool
 * call being written and every {@code prompt_progress} chunk ({@code return_progress}: one per batch while the server
 * evaluates the prompt) — so the scheduler's stuck watchdog sees a wedged server (llama-server keeps {@code /health}
 * at 200 while a slot is stuck) and closes this model, which kills the process.
 *
 * <p>A health probe asks {@code /health} every {@value #PROBE_SECONDS}s: a server that does not answer
 * {@value #PROBE_MISSES} probes in a row (a stopped or frozen process) is declared dead, its jobs fail, and the next
 * request starts a fresh one. {@code /slots} is deliberately not probed: llama-server answers it from its task loop,
 * i.e. only between two decodes, and one decode of a long prompt (a batch of 512 tokens on a CPU) takes longer than
 * a few probes — a busy server would be killed as a wedged one. A server that answers {@code /health} but makes no
 * progress is the stuck watchdog's ({@code stuck_after}, sized by the operator for one batch of prompt evaluation).
 */
final class LlamaServerModel implements LoadedModel {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaServerModel.class);
    static final int PROBE_SECONDS = 2;
    static final int PROBE_MISSES = 3;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final ModelSpec spec;
    private final Process process;
    private final URI base;
    private final String apiKey;
    private final long memoryEstimate;
    private final long weightsBytes;
    private final HttpClient http;
    private final ScheduledExecutorService probe;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<String> deathReason = new AtomicReference<>();
    private final java.util.Set<Job> jobs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private int missedProbes; // probe thread only

    private LlamaServerModel(ModelSpec spec, Process process, URI base, String apiKey, long memoryEstimate, HttpClient http) {
        this.spec = spec;
        this.process = process;
        this.base = base;
        this.apiKey = apiKey;
        this.memoryEstimate = memoryEstimate;
        this.weightsBytes = fileSize(spec.file());
        this.http = http;
        this.probe = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("llama-server-probe-" + spec.id()).factory());
    }

    /** Starts the server and returns once it has loaded the model ({@code /health} 200), or fails with its log's tail. */
    static LlamaServerModel start(Path binary, ModelSpec spec, Path logDir, Duration loadTimeout, long memoryEstimate)
            throws EngineException {
        String apiKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        int port = freePort();
        Path log = logDir.resolve(spec.id() + ".log");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(),
                "--model", spec.file().toAbsolutePath().toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--api-key", apiKey,
                "--alias", spec.id(),
                "--jinja",
                // llama-server divides the context between its slots: give each the configured context
                "--ctx-size", Integer.toString(context(spec) * spec.parallel()),
                "--parallel", Integer.toString(spec.parallel()),
                "--no-webui"));
        if (spec.threads() > 0) cmd.addAll(List.of("--threads", Integer.toString(spec.threads())));
        if (spec.capability() == ModelSpec.Capability.CHAT) {
            // prompt evaluation reports progress once per logical batch (return_progress): 512 tokens, the physical
            // batch it computes anyway, is a report every few seconds for a 7B model on a laptop CPU; the default,
            // 2,048, can take longer than stuck_after's 60 s there, and the watchdog would kill a healthy server
            cmd.addAll(List.of("--batch-size", "512"));
        }
        if (spec.capability() == ModelSpec.Capability.EMBEDDINGS) {
            cmd.add("--embeddings");
            if (!declaresPooling(spec.file())) cmd.addAll(List.of("--pooling", "last"));
        }
        Process process;
        try {
            Files.createDirectories(logDir);
            if (Files.exists(log)) Files.move(log, logDir.resolve(spec.id() + ".previous.log"), StandardCopyOption.REPLACE_EXISTING);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            // the key is on the command line of a process only we and root can inspect; keep it out of its environment
            process = pb.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new EngineException("cannot start llama-server for '" + spec.id() + "': " + e.getMessage(), e);
        }
        // A direct executor: the client's selector thread reads llama-server's socket and runs our SSE parsing right
        // there, so a streamed token costs one thread wake-up on our side, not three (selector, a new virtual thread
        // per read, the job's reader thread). What runs there never blocks: it parses and hands on.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(Runnable::run).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        LlamaServerModel model = new LlamaServerModel(spec, process, base, apiKey, memoryEstimate, http);
        long deadline = System.nanoTime() + loadTimeout.toNanos();
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw new EngineException("llama-server could not load '" + spec.id() + "' (exit " + process.exitValue()
                            + "): " + tail(log));
                }
                if (model.healthy()) break;
                if (System.nanoTime() > deadline) {
                    throw new EngineException("llama-server did not load '" + spec.id() + "' within "
                            + loadTimeout.toSeconds() + "s: " + tail(log));
                }
                Thread.sleep(100); // polling a child process that has no other way to say it is ready
            }
        } catch (EngineException e) {
            model.close();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            model.close();
            throw new EngineException("interrupted while loading '" + spec.id() + "'");
        }
        model.probe.scheduleWithFixedDelay(model::probeOnce, PROBE_SECONDS, PROBE_SECONDS, TimeUnit.SECONDS);
        LOG.info("llama-server for '{}' ready: pid {}, port {}", spec.id(), process.pid(), port);
        return model;
    }

    /**
     * Whether the GGUF says how to pool its embeddings ({@code <arch>.pooling_type}, as Qwen3-Embedding's files do);
     * llama-server then pools that way. A file that says nothing (a decoder converted without it) gets last-token
     * pooling, what decoder embedders use: llama-server's own default there, none, is refused by its OpenAI endpoint.
     */
    static boolean declaresPooling(Path file) {
        try {
            GgufHeader header = GgufHeader.read(file);
            return header.metadata().containsKey(header.architecture() + ".pooling_type");
        } catch (IOException e) {
            return false; // llama-server reports the unreadable file itself
        }
    }

    private static int context(ModelSpec spec) {
        return spec.context() > 0 ? spec.context() : 4096;
    }

    private static int freePort() throws EngineException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new EngineException("no free loopback port for llama-server: " + e.getMessage(), e);
        }
    }

    /** The last lines of the server's log, without control characters, for a load failure's reason. */
    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            String joined = String.join(" | ", lines.subList(Math.max(0, lines.size() - 4), lines.size()));
            return joined.replaceAll("\\p{Cntrl}", " ");
        } catch (IOException | RuntimeException e) {
            return "(no log)";
        }
    }

    long pid() {
        return process.pid();
    }

    // ------------------------------------------------------------------------------------------------------ health

    private boolean healthy() {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(PROBE_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void probeOnce() {
        if (closed.get()) return;
        if (!process.isAlive()) {
            die("llama-server exited (" + process.exitValue() + ")");
            return;
        }
        missedProbes = healthy() ? 0 : missedProbes + 1;
        if (missedProbes >= PROBE_MISSES) {
            die("llama-server stopped answering /health (" + PROBE_MISSES + " probes, " + PROBE_SECONDS + "s apart)");
        }
    }

    private void die(String reason) {
        if (deathReason.compareAndSet(null, reason)) {
            LOG.warn("llama-server for '{}': {}", spec.id(), reason);
            kill();
            for (Job j : jobs) j.fail(Kind.WORKER_DIED, "Model '" + spec.id() + "' is unavailable: " + reason);
        }
    }

    // -------------------------------------------------------------------------------------------------------- jobs

    @Override
    public RunningJob submit(EngineRequest request, JobListener listener) {
        Job job = new Job(listener);
        if (closed.get() || deathReason.get() != null) {
            job.fail(Kind.WORKER_DIED, "Model '" + spec.id() + "' is unavailable: "
                    + (deathReason.get() != null ? deathReason.get() : "unloading"));
            return job;
        }
        jobs.add(job);
        Thread.ofVirtual().name("llama-server-job-" + spec.id()).start(() -> {
            try {
                switch (request) {
                    case EngineRequest.Chat chat -> job.chat(chat.body());
                    case EngineRequest.Embed embed -> job.embed(embed.inputs());
                    default -> job.fail(Kind.BAD_REQUEST, "model '" + spec.id() + "' serves chat completions and embeddings only");
                }
            } catch (RuntimeException e) {
                job.fail(Kind.ENGINE_ERROR, "llama-server job failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            } finally {
                jobs.remove(job);
            }
        });
        return job;
    }

    @Override
    public long memoryBytes() {
        if (closed.get() || !process.isAlive()) return 0;
        return ProcessMemory.residentBytes(process.pid()).orElse(memoryEstimate);
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public ProcessFootprint footprint() {
        return closed.get() || !process.isAlive() ? null : ProcessFootprint.of(process.pid(), weightsBytes);
    }

    @Override
    public boolean alive() {
        return !closed.get() && deathReason.get() == null && process.isAlive();
    }

    @Override
    public String deathReason() {
        if (deathReason.get() != null) return deathReason.get();
        if (!closed.get() && !process.isAlive()) return "llama-server exited (" + process.exitValue() + ")";
        return closed.get() ? "closed" : null;
    }

    /** Kills the process (SIGKILL: a stopped or wedged server must go too) and waits for it; the OS frees its memory. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        probe.shutdownNow();
        kill();
        for (Job j : jobs) j.fail(Kind.CANCELLED, "model is unloading");
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) LOG.warn("llama-server pid {} did not exit after SIGKILL", process.pid());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request to the server, read on its own virtual thread. Cancel closes the connection: llama-server then stops. */
    private final class Job implements RunningJob {
        private final JobListener listener;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile InputStream body;
        private volatile CompletableFuture<?> exchange;
        private volatile boolean cancelled;

        Job(JobListener listener) {
            this.listener = listener;
        }

        @Override
        public void cancel() {
            cancelled = true;
            CompletableFuture<?> x = exchange;
            if (x != null) x.cancel(true); // aborts the exchange: the connection closes
            InputStream b = body;
            if (b != null) {
                try {
                    b.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }
            fail(Kind.CANCELLED, "cancelled");
        }

        void fail(Kind kind, String message) {
            if (ended.compareAndSet(false, true)) listener.onError(new EngineFailure(kind, message));
        }

        void complete(JobListener.Usage usage, String finish) {
            if (ended.compareAndSet(false, true)) listener.onComplete(usage, finish);
        }

        private HttpRequest request(String path, ObjectNode payload) {
            return HttpRequest.newBuilder(base.resolve(path))
                    .header("authorization", "Bearer " + apiKey).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(payload))).build();
        }

        /** Whether a request that failed before any answer is still worth sending again (see {@link StaleConnectionRetry}). */
        private boolean wanted() {
            return !cancelled && !ended.get() && alive();
        }

        private HttpResponse<InputStream> post(String path, ObjectNode payload) throws IOException, InterruptedException {
            HttpResponse<InputStream> r = StaleConnectionRetry.send(http, request(path, payload),
                    HttpResponse.BodyHandlers.ofInputStream(), this::wanted);
            body = r.body();
            if (cancelled) r.body().close();
            return r;
        }

        /** A non-200 answer of llama-server as our failure: its 4xx are the client's fault, the rest the engine's. */
        private void failFrom(HttpResponse<InputStream> r) throws IOException {
            try (InputStream in = r.body()) {
                failFrom(r.statusCode(), new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8));
            }
        }

        private void failFrom(int status, String text) {
            if (text.length() > 64 * 1024) text = text.substring(0, 64 * 1024);
            String message = text;
            try {
                JsonNode n = Json.parse(text);
                if (n.path("error").path("message").isTextual()) message = n.get("error").get("message").asText();
            } catch (RuntimeException notJson) {
                // keep the text
            }
            fail(status >= 400 && status < 500 ? Kind.BAD_REQUEST : Kind.ENGINE_ERROR,
                    "llama-server: " + message.replaceAll("\\p{Cntrl}", " "));
        }

        private void lost(IOException e) {
            if (cancelled) return;
            String why = deathReason.get();
            if (why == null && !process.isAlive()) why = "llama-server exited (" + process.exitValue() + ")";
            fail(why != null || closed.get() ? Kind.WORKER_DIED : Kind.ENGINE_ERROR,
                    "Model '" + spec.id() + "': " + (why != null ? why : "connection to llama-server lost: " + e.getMessage()));
        }

        void chat(ObjectNode request) {
            ChatOptions options;
            try {
                options = ChatOptions.from(request);
            } catch (BadChatRequest e) {
                fail(Kind.BAD_REQUEST, e.getMessage());
                return;
            }
            ListenerSink sink = new ListenerSink(listener);
            // <think> blocks and stray call markup in llama-server's content are split by the same parser as ours
            AssistantOutput output = new AssistantOutput(sink, options.toolsOffered());
            try {
                if (options.forcedCallSchema() != null) forcedCall(request, options, output);
                else openAiChat(request, options, output);
            } catch (IOException e) {
                lost(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(Kind.CANCELLED, "interrupted");
            } catch (RuntimeException e) {
                fail(Kind.ENGINE_ERROR, "llama-server sent an unreadable stream: " + e.getMessage());
            }
        }

        /**
         * POSTs {@code payload} and streams the SSE answer: each {@code data:} JSON goes to {@code onChunk} on the HTTP
         * client's own thread as it arrives (see the client's executor). Returns true once the stream ended with the
         * job still open; false when it ended meanwhile (a non-200 answer, an error event, cancel or death).
         */
        private boolean stream(String path, ObjectNode payload, java.util.function.Consumer<JsonNode> onChunk,
                java.util.function.Predicate<JsonNode> last) throws IOException, InterruptedException {
            payload.put("return_progress", true); // prompt evaluation progress, read by SseLines
            SseLines lines = new SseLines(onChunk, last);
            // an attempt that failed before any answer never invoked the handler, so `lines` saw nothing of it
            CompletableFuture<HttpResponse<String>> x = StaleConnectionRetry.sendAsync(http, request(path, payload),
                    info -> info.statusCode() == 200
                            ? HttpResponse.BodySubscribers.fromLineSubscriber(lines, l -> "", StandardCharsets.UTF_8, null)
                            : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
                    this::wanted, attempt -> {
                        // what cancel(), abort() and the stream's end stop is the attempt on the wire; one that
                        // published itself after they looked stops itself
                        exchange = attempt;
                        if (cancelled || ended.get() || lines.end.isDone()) attempt.cancel(true);
                    });
            try {
                // the stream's own end ([DONE], or /completion's stop event) is the end: llama-server may hold the
                // response open after it, so we do not wait for the body to close but close the exchange ourselves
                CompletableFuture.anyOf(x, lines.end).get();
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c ? c.getCause() : e.getCause();
                if (cause instanceof java.util.concurrent.CancellationException) return false; // cancel() or an abort
                if (cause instanceof IOException io) throw io;
                throw new IOException(String.valueOf(cause), cause);
            } catch (java.util.concurrent.CancellationException e) {
                return false;
            }
            if (lines.end.isDone()) {
                exchange.cancel(true);
                return !ended.get();
            }
            HttpResponse<String> r = x.join();
            if (r.statusCode() != 200) {
                failFrom(r.statusCode(), r.body());
                return false;
            }
            return !ended.get();
        }

        /**
         * The data lines of one SSE answer, parsed where they arrive. An error event or an unreadable line fails the job
         * and aborts the exchange (llama-server stops generating when its connection closes); lines after
         * {@code [DONE]} or the job's end are skipped.
         */
        private final class SseLines implements java.util.concurrent.Flow.Subscriber<String> {
            private final java.util.function.Consumer<JsonNode> onChunk;
            private final java.util.function.Predicate<JsonNode> last;
            final CompletableFuture<Void> end = new CompletableFuture<>();
            private boolean stopped; // client thread only

            SseLines(java.util.function.Consumer<JsonNode> onChunk, java.util.function.Predicate<JsonNode> last) {
                this.onChunk = onChunk;
                this.last = last;
            }

            @Override
            public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                if (stopped || ended.get()) return;
                if (!line.startsWith("data: ")) return;
                String data = line.substring(6).strip();
                if (data.equals("[DONE]")) {
                    stopped = true;
                    end.complete(null);
                    return;
                }
                try {
                    JsonNode chunk = Json.parse(data);
                    if (chunk.has("error")) {
                        abort("llama-server: " + chunk.get("error").path("message").asText("error"));
                        return;
                    }
                    // asked for with return_progress: the server is evaluating the prompt (one chunk per batch), which
                    // takes minutes for an agent's long prompt on a CPU. Progress only: its delta/content is empty.
                    if (chunk.has("prompt_progress")) listener.onProgress();
                    onChunk.accept(chunk);
                    if (last.test(chunk)) {
                        stopped = true;
                        end.complete(null);
                    }
                } catch (RuntimeException e) {
                    abort("llama-server sent an unreadable stream: " + e.getMessage());
                }
            }

            private void abort(String message) {
                stopped = true;
                fail(Kind.ENGINE_ERROR, message);
                CompletableFuture<?> x = exchange;
                if (x != null) x.cancel(true);
            }

            @Override
            public void onError(Throwable throwable) {
                // the exchange's future fails with it
            }

            @Override
            public void onComplete() {
                // the exchange's future completes
            }
        }

        /** tool_choice auto/none: llama-server's own chat endpoint, its template (--jinja) and its tool-call parser. */
        private void openAiChat(ObjectNode request, ChatOptions options, AssistantOutput output)
                throws IOException, InterruptedException {
            ObjectNode payload = request.deepCopy();
            payload.put("model", spec.id());
            payload.put("stream", true);
            payload.putObject("stream_options").put("include_usage", true);
            // OpenAI's default; llama-server's is false
            if (!payload.hasNonNull("parallel_tool_calls")) payload.put("parallel_tool_calls", true);
            ToolCallCollector calls = new ToolCallCollector(output, options.parallelToolCalls());
            String[] finish = {null};
            JobListener.Usage[] usage = {null};
            int[] pieces = {0};
            boolean open = stream("/v1/chat/completions", payload, chunk -> {
                if (chunk.hasNonNull("usage")) {
                    JsonNode u = chunk.get("usage");
                    usage[0] = new JobListener.Usage(u.path("prompt_tokens").asInt(), u.path("completion_tokens").asInt(),
                            u.path("prompt_tokens_details").path("cached_tokens").asInt(0));
                }
                for (JsonNode choice : chunk.path("choices")) {
                    JsonNode d = choice.path("delta");
                    if (d.path("reasoning_content").isTextual() && !d.get("reasoning_content").asText().isEmpty()) {
                        calls.flush();
                        listener.onReasoning(d.get("reasoning_content").asText());
                        pieces[0]++;
                    }
                    if (d.path("content").isTextual() && !d.get("content").asText().isEmpty()) {
                        calls.flush();
                        output.accept(d.get("content").asText());
                        pieces[0]++;
                    }
                    if (d.path("tool_calls").isArray()) calls.accept((ArrayNode) d.get("tool_calls"));
                    if (choice.hasNonNull("finish_reason")) finish[0] = choice.get("finish_reason").asText();
                }
            }, chunk -> false); // its stream ends with [DONE]
            if (!open) return;
            if (finish[0] == null) {
                fail(Kind.ENGINE_ERROR, "llama-server ended the stream without a finish_reason");
                return;
            }
            calls.flush();
            output.finish();
            String reason = output.calls() > 0 ? "tool_calls" : finish[0];
            complete(usage[0] != null ? usage[0] : new JobListener.Usage(0, pieces[0]), reason);
        }

        /**
         * tool_choice required or a named function: llama.cpp's parser lets a model write text before (or instead of)
         * the call, so we enforce it the way the embedded engine does — the model's own template renders the
         * conversation ({@code /apply-template}), the answer starts inside {@code <tool_call>}, and the call's JSON
         * schema is the grammar ({@code /completion} with {@code json_schema}).
         */
        private void forcedCall(ObjectNode request, ChatOptions options, AssistantOutput output)
                throws IOException, InterruptedException {
            ObjectNode template = Json.object();
            template.set("messages", request.get("messages"));
            template.set("tools", request.get("tools"));
            HttpResponse<InputStream> t = post("/apply-template", template);
            if (t.statusCode() != 200) {
                failFrom(t);
                return;
            }
            String prompt;
            try (InputStream b = t.body()) {
                prompt = Json.parse(new String(b.readAllBytes(), StandardCharsets.UTF_8)).path("prompt").asText();
            }
            ObjectNode payload = Json.object();
            payload.put("prompt", prompt + AssistantOutput.CALL_OPEN + "\n");
            payload.set("json_schema", Json.parse(options.forcedCallSchema()));
            payload.put("stream", true);
            payload.put("cache_prompt", true);
            payload.put("n_predict", options.maxTokens() == null ? -1 : options.maxTokens());
            if (options.temperature() != null) payload.put("temperature", options.temperature());
            if (options.topP() != null) payload.put("top_p", options.topP());
            if (options.seed() != null) payload.put("seed", options.seed());
            String[] stopType = {null};
            int[] tokens = {0, 0, 0};
            boolean[] opened = {false};
            boolean open = stream("/completion", payload, chunk -> {
                if (!opened[0]) { // the call's opening tag, once llama-server has accepted the request
                    opened[0] = true;
                    output.accept(AssistantOutput.CALL_OPEN + "\n");
                }
                if (chunk.path("content").isTextual() && !chunk.get("content").asText().isEmpty()) {
                    output.accept(chunk.get("content").asText());
                }
                if (chunk.path("stop").asBoolean(false)) {
                    stopType[0] = chunk.path("stop_type").asText("eos");
                    tokens[0] = chunk.path("tokens_evaluated").asInt();
                    tokens[1] = chunk.path("tokens_predicted").asInt();
                    tokens[2] = chunk.path("timings").path("cache_n").asInt(0); // prompt tokens reused from the cache
                }
            }, chunk -> chunk.path("stop").asBoolean(false)); // /completion's last event is its stop event
            if (!open) return;
            if (stopType[0] == null) {
                fail(Kind.ENGINE_ERROR, "llama-server ended the stream without a stop event");
                return;
            }
            boolean limit = stopType[0].equals("limit");
            if (!limit) output.accept("\n" + AssistantOutput.CALL_CLOSE);
            output.finish();
            String reason = output.calls() > 0 ? "tool_calls" : limit ? "length" : "stop";
            complete(new JobListener.Usage(tokens[0], tokens[1], tokens[2]), reason);
        }

        void embed(List<String> inputs) {
            ObjectNode payload = Json.object();
            payload.put("model", spec.id());
            ArrayNode in = payload.putArray("input");
            inputs.forEach(in::add);
            try {
                HttpResponse<InputStream> r = post("/v1/embeddings", payload);
                if (r.statusCode() != 200) {
                    failFrom(r);
                    return;
                }
                JsonNode answer;
                try (InputStream b = r.body()) {
                    answer = Json.parse(new String(b.readAllBytes(), StandardCharsets.UTF_8));
                }
                List<float[]> vectors = new ArrayList<>(inputs.size());
                for (int i = 0; i < inputs.size(); i++) vectors.add(null);
                for (JsonNode d : answer.path("data")) {
                    JsonNode e = d.path("embedding");
                    float[] v = new float[e.size()];
                    for (int k = 0; k < v.length; k++) v[k] = (float) e.get(k).asDouble();
                    int index = d.path("index").asInt(-1);
                    if (index >= 0 && index < vectors.size()) vectors.set(index, v);
                }
                if (vectors.contains(null)) {
                    fail(Kind.ENGINE_ERROR, "llama-server returned " + answer.path("data").size() + " vectors for " + inputs.size() + " inputs");
                    return;
                }
                if (ended.get()) return;
                listener.onEmbeddings(vectors);
                complete(new JobListener.Usage(answer.path("usage").path("prompt_tokens").asInt(), 0), "stop");
            } catch (IOException e) {
                lost(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(Kind.CANCELLED, "interrupted");
            }
        }
    }
}
