package dev.tailgate.local.engine.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.InProcessEngineFactory;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RunningJob;
import dev.tailgate.local.engine.Transcript;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker process: hosts exactly one engine for one model and talks to its supervisor over a loopback connection
 * (see {@link WorkerProtocol}). Started by {@link WorkerProcessFactory}; not meant to be run by hand.
 *
 * <p>Arguments: {@code <port> <token> <spec-json>}. The worker exits when the connection closes (its supervisor is
 * gone or has let go of it) — with {@code Runtime.halt}, because llama.cpp leaves a non-daemon native thread behind
 * that would otherwise keep the JVM alive.
 */
public final class WorkerMain {
    /**
     * Committed heap above which a worker collects when its last job ends. An idle worker's heap is ~7 MB live; after
     * a few speech or transcription jobs the old generation holds ~20 MB, mostly their promoted garbage (measured:
     * collecting it takes 7-8 MB off the Kokoro and Whisper workers' RSS).
     */
    private static final long IDLE_HEAP_BYTES = 16L << 20;

    private final LineChannel channel;
    private final LoadedModel engine;
    private final Map<Long, SubmittedJob> jobs = new ConcurrentHashMap<>();

    private WorkerMain(LineChannel channel, LoadedModel engine) {
        this.channel = channel;
        this.engine = engine;
    }

    public static void main(String[] args) {
        int status = 0;
        try {
            status = run(Integer.parseInt(args[0]), args[1], Json.parse(args[2]));
        } catch (Throwable t) {
            System.err.println("worker failed: " + t);
            t.printStackTrace();
            status = 3;
        } finally {
            Runtime.getRuntime().halt(status);
        }
    }

    private static int run(int port, String token, JsonNode specJson) throws IOException {
        ModelSpec spec = WorkerProtocol.spec(specJson);
        LineChannel channel = new LineChannel(new Socket(InetAddress.getLoopbackAddress(), port));
        channel.send(WorkerProtocol.message("hello").put("token", token));
        LoadedModel engine;
        try {
            engine = new InProcessEngineFactory().load(spec);
        } catch (EngineException | RuntimeException e) {
            channel.send(WorkerProtocol.message("load_failed").put("message", String.valueOf(e.getMessage())));
            return 2;
        }
        // Loading leaves garbage (model bytes, tokenizer JSON, native-library copies): collect it now, while nothing
        // runs, so the heap shrinks back (MaxHeapFreeRatio) and the worker's resident memory starts near its weights.
        System.gc();
        channel.send(WorkerProtocol.message("loaded").put("pid", ProcessHandle.current().pid()));
        new WorkerMain(channel, engine).serve();
        return 0;
    }

    private void serve() throws IOException {
        try {
            JsonNode m;
            while ((m = channel.read()) != null) {
                switch (m.path("type").asText()) {
                    case "submit" -> submit(m);
                    case "cancel" -> {
                        RunningJob job = jobs.get(m.path("job").asLong());
                        if (job != null) job.cancel();
                    }
                    case "ping" -> channel.send(WorkerProtocol.message("pong").put("seq", m.path("seq").asLong()));
                    default -> System.err.println("worker: ignoring message type " + m.path("type"));
                }
            }
        } finally {
            engine.close();
        }
    }

    private void submit(JsonNode m) {
        long id = m.path("job").asLong();
        EngineRequest request;
        if (m.has("chat")) {
            request = new EngineRequest.Chat((ObjectNode) m.get("chat"));
        } else if (m.has("transcribe")) {
            request = WorkerProtocol.transcribe(m.get("transcribe"));
        } else if (m.has("speech")) {
            JsonNode s = m.get("speech");
            request = new EngineRequest.Speech(s.path("input").asText(), s.path("voice").asText(), s.path("speed").asDouble(1.0));
        } else {
            List<String> inputs = new ArrayList<>();
            m.path("embed").forEach(n -> inputs.add(n.asText()));
            request = new EngineRequest.Embed(inputs);
        }
        // recorded before it is submitted: a job can end inside submit (queue full, engine closing) or on another
        // thread right after, and its end must find it to remove — else the worker never counts itself idle again
        SubmittedJob job = new SubmittedJob();
        jobs.put(id, job);
        job.started(engine.submit(request, new Forwarder(id)));
    }

    /** A job's handle from before the engine returned it: a cancel that arrives first is passed on once it exists. */
    private static final class SubmittedJob implements RunningJob {
        private volatile RunningJob engineJob;
        private volatile boolean cancelled;

        void started(RunningJob job) {
            engineJob = job;
            if (cancelled) job.cancel();
        }

        @Override
        public void cancel() {
            cancelled = true;
            RunningJob job = engineJob;
            if (job != null) job.cancel();
        }
    }

    /** Sends one job's events to the supervisor. A lost connection ends the process anyway, so send errors are dropped. */
    private final class Forwarder implements JobListener {
        private final long id;

        Forwarder(long id) {
            this.id = id;
        }

        @Override
        public void onDelta(String text) {
            send(WorkerProtocol.message("delta").put("job", id).put("text", text));
        }

        @Override
        public void onReasoning(String text) {
            send(WorkerProtocol.message("reasoning").put("job", id).put("text", text));
        }

        @Override
        public void onToolCall(ToolCall call) {
            send(WorkerProtocol.message("tool_call").put("job", id).put("id", call.id()).put("name", call.name())
                    .put("arguments", call.arguments()));
        }

        @Override
        public void onProgress() {
            send(WorkerProtocol.message("progress").put("job", id));
        }

        @Override
        public void onEmbeddings(List<float[]> vectors) {
            send(WorkerProtocol.message("embeddings").put("job", id)
                    .put("dims", vectors.isEmpty() ? 0 : vectors.get(0).length)
                    .put("data", WorkerProtocol.encodeVectors(vectors)));
        }

        @Override
        public void onSamples(float[] samples, int sampleRate) {
            send(WorkerProtocol.message("samples").put("job", id).put("rate", sampleRate)
                    .put("data", WorkerProtocol.encodeSamples(samples)));
        }

        @Override
        public void onTranscript(Transcript transcript) {
            send(WorkerProtocol.transcriptJson(transcript).put("type", "transcript").put("job", id));
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            send(WorkerProtocol.message("complete").put("job", id).put("prompt_tokens", usage.promptTokens())
                    .put("completion_tokens", usage.completionTokens()).put("finish", finishReason));
            ended();
        }

        @Override
        public void onError(EngineFailure failure) {
            send(WorkerProtocol.message("error").put("job", id).put("kind", failure.kind().name())
                    .put("message", failure.message()));
            ended();
        }

        /**
         * The job is done (and answered: what follows must not delay the reply). When it was the last one, give memory
         * back while idle: if the heap grew (an upload or long audio passed through it), collect, so it shrinks back
         * instead of keeping the peak until the next collection — which an idle worker never has; and hand the engine's
         * freed native buffers back to the OS (measured: −6 MB on the Whisper worker after transcriptions).
         */
        private void ended() {
            jobs.remove(id);
            if (!jobs.isEmpty()) return;
            if (Runtime.getRuntime().totalMemory() > IDLE_HEAP_BYTES) System.gc();
            MallocTrim.trim();
        }

        private void send(ObjectNode message) {
            try {
                channel.send(message);
            } catch (IOException e) {
                System.err.println("worker: connection lost: " + e.getMessage());
            }
        }
    }
}
