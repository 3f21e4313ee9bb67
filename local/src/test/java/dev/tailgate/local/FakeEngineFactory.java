package dev.tailgate.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFactory;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RunningJob;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted engine. What a chat job does is chosen by the last message's content:
 * <ul>
 *   <li>{@code tokens:N} (or anything else: 3 tokens) — emits N deltas "t0 ", "t1 ", … then completes;</li>
 *   <li>{@code hold} — emits one delta, then waits for {@link #release()}; honours cancel;</li>
 *   <li>{@code hang} — never calls back and ignores cancel (only close ends it, as WORKER_DIED);</li>
 *   <li>{@code delta-then-hang} — one delta, then hangs like {@code hang};</li>
 *   <li>{@code die} — the worker "crashes": alive() turns false and the job fails with WORKER_DIED;</li>
 *   <li>{@code bad} — fails with BAD_REQUEST;</li>
 *   <li>{@code echo:TEXT} — emits TEXT as reasoning, then as one delta, then completes.</li>
 * </ul>
 * Embedding jobs return 4-dimensional vectors derived from each input. Everything it is asked is recorded.
 */
final class FakeEngineFactory implements EngineFactory {
    final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    final List<FakeModel> models = new CopyOnWriteArrayList<>();
    final List<String> prompts = new CopyOnWriteArrayList<>();
    final AtomicInteger cancels = new AtomicInteger();
    private final Map<String, Long> memory = new ConcurrentHashMap<>();
    private volatile CountDownLatch releaseHolds = new CountDownLatch(1);
    private volatile CountDownLatch loadGate = new CountDownLatch(0);

    FakeEngineFactory memory(String modelId, long bytes) {
        memory.put(modelId, bytes);
        return this;
    }

    /** Loads block until {@link #openLoads()}. */
    FakeEngineFactory gateLoads() {
        loadGate = new CountDownLatch(1);
        return this;
    }

    void openLoads() {
        loadGate.countDown();
    }

    void release() {
        releaseHolds.countDown();
    }

    int loadsOf(String id) {
        AtomicInteger n = loads.get(id);
        return n == null ? 0 : n.get();
    }

    List<FakeModel> modelsOf(String id) {
        return models.stream().filter(m -> m.id.equals(id)).toList();
    }

    FakeModel current(String id) {
        List<FakeModel> ms = modelsOf(id);
        return ms.isEmpty() ? null : ms.getLast();
    }

    @Override
    public LoadedModel load(ModelSpec spec) throws EngineException {
        loads.computeIfAbsent(spec.id(), k -> new AtomicInteger()).incrementAndGet();
        try {
            if (!loadGate.await(30, TimeUnit.SECONDS)) throw new EngineException("fake load gate never opened");
        } catch (InterruptedException e) {
            throw new EngineException("interrupted");
        }
        if (spec.id().startsWith("broken")) throw new EngineException("bad magic in " + spec.file());
        FakeModel m = new FakeModel(spec.id(), estimateMemoryBytes(spec));
        models.add(m);
        return m;
    }

    @Override
    public long estimateMemoryBytes(ModelSpec spec) {
        return memory.getOrDefault(spec.id(), 100L);
    }

    final class FakeModel implements LoadedModel {
        final String id;
        final long bytes;
        final AtomicBoolean alive = new AtomicBoolean(true);
        final AtomicBoolean closed = new AtomicBoolean(false);
        final List<FakeJob> jobs = new CopyOnWriteArrayList<>();
        volatile String deathReason;

        FakeModel(String id, long bytes) {
            this.id = id;
            this.bytes = bytes;
        }

        /** The worker process vanishes without any job noticing (e.g. OOM-killed while idle). */
        void crash(String why) {
            deathReason = why;
            alive.set(false);
        }

        @Override
        public RunningJob submit(EngineRequest request, JobListener listener) {
            FakeJob job = new FakeJob(listener);
            jobs.add(job);
            Thread.ofVirtual().start(() -> run(job, request));
            return job;
        }

        private void run(FakeJob job, EngineRequest request) {
            if (request instanceof EngineRequest.Embed embed) {
                prompts.addAll(embed.inputs());
                if (embed.inputs().contains("hang")) return;
                List<float[]> vectors = embed.inputs().stream()
                        .map(s -> new float[] {s.length(), s.hashCode() % 7, 0.5f, -1.25f}).toList();
                job.listener.onEmbeddings(vectors);
                job.complete(new JobListener.Usage(embed.inputs().stream().mapToInt(String::length).sum(), 0));
                return;
            }
            JsonNode messages = ((EngineRequest.Chat) request).body().get("messages");
            String prompt = messages.get(messages.size() - 1).path("content").asText();
            prompts.add(prompt);
            switch (prompt) {
                case "hang" -> {}
                case "delta-then-hang" -> job.listener.onDelta("partial");
                case "die" -> {
                    crash("fake worker crashed (SIGSEGV)");
                    job.fail(new EngineFailure(Kind.WORKER_DIED, "worker exited with signal 11"));
                }
                case "bad" -> job.fail(new EngineFailure(Kind.BAD_REQUEST, "prompt is longer than the context"));
                case "hold" -> {
                    job.listener.onDelta("held ");
                    try {
                        while (!job.cancelled.get() && !releaseHolds.await(20, TimeUnit.MILLISECONDS)) {
                            // poll so that cancel is noticed promptly
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (job.cancelled.get()) job.fail(new EngineFailure(Kind.CANCELLED, "cancelled"));
                    else job.complete(new JobListener.Usage(5, 1));
                }
                default -> {
                    if (prompt.startsWith("echo:")) {
                        job.listener.onReasoning(prompt.substring(5));
                        job.listener.onDelta(prompt.substring(5));
                        job.complete(new JobListener.Usage(7, 2));
                        return;
                    }
                    int n = prompt.startsWith("tokens:") ? Integer.parseInt(prompt.substring(7)) : 3;
                    for (int i = 0; i < n; i++) job.listener.onDelta("t" + i + " ");
                    job.complete(new JobListener.Usage(7, n));
                }
            }
        }

        @Override
        public long memoryBytes() {
            return bytes;
        }

        @Override
        public boolean alive() {
            return alive.get();
        }

        @Override
        public String deathReason() {
            return alive.get() ? null : deathReason;
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) return;
            if (alive.getAndSet(false)) deathReason = "closed";
            for (FakeJob j : jobs) j.fail(new EngineFailure(Kind.WORKER_DIED, "worker killed"));
        }
    }

    final class FakeJob implements RunningJob {
        final JobListener listener;
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicBoolean ended = new AtomicBoolean();

        FakeJob(JobListener listener) {
            this.listener = listener;
        }

        @Override
        public void cancel() {
            if (cancelled.compareAndSet(false, true)) cancels.incrementAndGet();
        }

        void complete(JobListener.Usage usage) {
            if (ended.compareAndSet(false, true)) listener.onComplete(usage, "stop");
        }

        void fail(EngineFailure f) {
            if (ended.compareAndSet(false, true)) listener.onError(f);
        }
    }
}
