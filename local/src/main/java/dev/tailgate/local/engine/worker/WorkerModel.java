package dev.tailgate.local.engine.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ProcessFootprint;
import dev.tailgate.local.engine.ProcessMemory;
import dev.tailgate.local.engine.RunningJob;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's handle on one worker process: a {@link LoadedModel} whose jobs run in the child. When the child
 * exits — crash, native abort, OOM kill, or killed by the watchdog — every job in flight ends with
 * {@link Kind#WORKER_DIED} and the reason (exit code or signal), and {@link #alive()} turns false.
 */
public final class WorkerModel implements LoadedModel {
    private static final Logger log = LoggerFactory.getLogger(WorkerModel.class);
    private static final long KILL_WAIT_SECONDS = 10;

    private final String modelId;
    private final Process process;
    private final LineChannel channel;
    private final long memoryEstimate;
    private final long weightsBytes;
    private final Map<Long, JobListener> inFlight = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Void>> pings = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean dead = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile String deathReason;

    WorkerModel(String modelId, Process process, LineChannel channel, long memoryEstimate, long weightsBytes) {
        this.modelId = modelId;
        this.weightsBytes = weightsBytes;
        this.process = process;
        this.channel = channel;
        this.memoryEstimate = memoryEstimate;
        Thread reader = new Thread(this::readLoop, "worker-reader-" + modelId);
        reader.setDaemon(true);
        reader.start();
        process.onExit().thenAccept(p -> die(describeExit(p.exitValue())));
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public RunningJob submit(EngineRequest request, JobListener listener) {
        long id = ids.incrementAndGet();
        if (dead.get()) {
            listener.onError(failure());
            return () -> {};
        }
        inFlight.put(id, listener);
        if (dead.get() && inFlight.remove(id) != null) { // died between the check and the put
            listener.onError(failure());
            return () -> {};
        }
        ObjectNode m = WorkerProtocol.message("submit").put("job", id);
        switch (request) {
            case EngineRequest.Chat chat -> m.set("chat", chat.body());
            case EngineRequest.Embed embed -> {
                var arr = m.putArray("embed");
                embed.inputs().forEach(arr::add);
            }
            case EngineRequest.Speech speech -> m.putObject("speech").put("input", speech.input()).put("voice", speech.voice())
                    .put("speed", speech.speed());
            case EngineRequest.Transcribe transcribe -> m.set("transcribe", WorkerProtocol.transcribeJson(transcribe));
        }
        try {
            channel.send(m);
        } catch (IOException e) {
            JobListener l = inFlight.remove(id);
            if (l != null) l.onError(new EngineFailure(Kind.WORKER_DIED, "cannot reach the worker: " + e.getMessage()));
        }
        return () -> {
            if (!inFlight.containsKey(id)) return;
            try {
                channel.send(WorkerProtocol.message("cancel").put("job", id));
            } catch (IOException ignored) {
                // the worker is gone: its death fails the job
            }
        };
    }

    /** Round trip to the worker's message loop; false when it does not answer in time or is dead. */
    public boolean ping(Duration timeout) {
        if (dead.get()) return false;
        long seq = ids.incrementAndGet();
        CompletableFuture<Void> pong = new CompletableFuture<>();
        pings.put(seq, pong);
        try {
            channel.send(WorkerProtocol.message("ping").put("seq", seq));
            pong.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return false;
        } finally {
            pings.remove(seq);
        }
    }

    /** The worker's resident memory (VmRSS) while it runs; the load-time estimate where that cannot be read. */
    @Override
    public long memoryBytes() {
        if (dead.get()) return 0;
        return ProcessMemory.residentBytes(process.pid()).orElse(memoryEstimate);
    }

    @Override
    public ProcessFootprint footprint() {
        return dead.get() ? null : ProcessFootprint.of(process.pid(), weightsBytes);
    }

    @Override
    public boolean alive() {
        return !dead.get();
    }

    @Override
    public String deathReason() {
        return deathReason;
    }

    /** Kills the worker (and anything it started) and waits, bounded, until it is gone: its memory is back with the OS. */
    @Override
    public void close() {
        closing.set(true);
        kill(process);
        die("closed");
    }

    static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            if (!process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("worker {} did not exit within {}s of SIGKILL", process.pid(), KILL_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readLoop() {
        try {
            JsonNode m;
            while ((m = channel.read()) != null) {
                try {
                    dispatch(m);
                } catch (RuntimeException e) {
                    // a listener broke its contract; the worker and the other jobs are fine
                    log.warn("worker {}: listener failed on {}: {}", process.pid(), m.path("type").asText(), e.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!dead.get()) log.debug("worker {} connection ended: {}", process.pid(), e.toString());
        }
        // The connection is gone: the worker is dying or must be made to.
        try {
            if (process.waitFor(2, TimeUnit.SECONDS)) {
                die(describeExit(process.exitValue()));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill(process);
        die("worker lost its connection to the supervisor and was killed");
    }

    private void dispatch(JsonNode m) {
        long id = m.path("job").asLong();
        switch (m.path("type").asText()) {
            case "delta" -> {
                JobListener l = inFlight.get(id);
                if (l != null) l.onDelta(m.path("text").asText());
            }
            case "reasoning" -> {
                JobListener l = inFlight.get(id);
                if (l != null) l.onReasoning(m.path("text").asText());
            }
            case "tool_call" -> {
                JobListener l = inFlight.get(id);
                if (l != null) {
                    l.onToolCall(new JobListener.ToolCall(m.path("id").asText(), m.path("name").asText(),
                            m.path("arguments").asText()));
                }
            }
            case "progress" -> {
                JobListener l = inFlight.get(id);
                if (l != null) l.onProgress();
            }
            case "embeddings" -> {
                JobListener l = inFlight.get(id);
                if (l != null) l.onEmbeddings(WorkerProtocol.decodeVectors(m.path("data").asText(), m.path("dims").asInt()));
            }
            case "samples" -> {
                JobListener l = inFlight.get(id);
                if (l != null) l.onSamples(WorkerProtocol.decodeSamples(m.path("data").asText()), m.path("rate").asInt());
            }
            case "transcript" -> {
                JobListener l = inFlight.get(id);
                if (l != null) l.onTranscript(WorkerProtocol.transcript(m));
            }
            case "complete" -> {
                JobListener l = inFlight.remove(id);
                if (l != null) {
                    l.onComplete(new JobListener.Usage(m.path("prompt_tokens").asInt(), m.path("completion_tokens").asInt()),
                            m.path("finish").asText());
                }
            }
            case "error" -> {
                JobListener l = inFlight.remove(id);
                if (l != null) {
                    Kind kind;
                    try {
                        kind = Kind.valueOf(m.path("kind").asText());
                    } catch (IllegalArgumentException e) {
                        kind = Kind.ENGINE_ERROR;
                    }
                    l.onError(new EngineFailure(kind, m.path("message").asText()));
                }
            }
            case "pong" -> {
                CompletableFuture<Void> p = pings.get(m.path("seq").asLong());
                if (p != null) p.complete(null);
            }
            default -> log.debug("worker {}: unexpected message {}", process.pid(), m.path("type"));
        }
    }

    /** Marks the worker dead (first reason wins) and ends every job still in flight. */
    private void die(String reason) {
        if (!dead.compareAndSet(false, true)) return;
        deathReason = closing.get() ? "closed" : reason;
        if (!closing.get()) log.warn("worker for model '{}' (pid {}) died: {}", modelId, process.pid(), reason);
        channel.close();
        EngineFailure failure = failure();
        for (Long id : inFlight.keySet()) {
            JobListener l = inFlight.remove(id);
            if (l != null) l.onError(failure);
        }
    }

    private EngineFailure failure() {
        return closing.get()
                ? new EngineFailure(Kind.CANCELLED, "model '" + modelId + "' was unloaded")
                : new EngineFailure(Kind.WORKER_DIED, "worker for model '" + modelId + "' died: " + deathReason);
    }

    /** Java reports a process ended by signal N as exit value 128+N. */
    static String describeExit(int code) {
        if (code > 128 && code < 160) {
            int signal = code - 128;
            String name = switch (signal) {
                case 6 -> " (SIGABRT: native abort)";
                case 9 -> " (SIGKILL)";
                case 11 -> " (SIGSEGV: native crash)";
                case 15 -> " (SIGTERM)";
                default -> "";
            };
            return "worker killed by signal " + signal + name;
        }
        return "worker exited with code " + code;
    }
}
