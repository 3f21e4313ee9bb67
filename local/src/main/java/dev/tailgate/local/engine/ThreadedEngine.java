package dev.tailgate.local.engine;

import dev.tailgate.local.engine.EngineFailure.Kind;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Base of the in-process engines: jobs run on the engine's own daemon threads — {@code parallel} at a time, the rest
 * waiting in order in a bounded queue; {@link #submit} never blocks; every job ends exactly once (complete, error, or
 * cancelled — also when the engine closes with jobs queued).
 */
public abstract class ThreadedEngine implements LoadedModel {
    private static final int QUEUE_CAPACITY = 256;
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final String name;
    private final ThreadPoolExecutor executor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<Job> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadIds = new AtomicInteger();

    protected ThreadedEngine(String name, int parallel) {
        this.name = name;
        int n = Math.max(1, parallel);
        this.executor = new ThreadPoolExecutor(n, n, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
            Thread t = new Thread(r, name + "-" + threadIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs one job on an engine thread (up to {@code parallel} run at once). Must end the job through {@code job}; may throw (→ ENGINE_ERROR). */
    protected abstract void run(EngineRequest request, Job job);

    /** Frees the engine's resources once its threads have finished. */
    protected abstract void release();

    @Override
    public final RunningJob submit(EngineRequest request, JobListener listener) {
        Job job = new Job(request, listener);
        if (closed.get()) {
            job.fail(Kind.CANCELLED, "model is unloading");
            return job;
        }
        try {
            executor.execute(job);
        } catch (RejectedExecutionException e) {
            if (closed.get()) job.fail(Kind.CANCELLED, "model is unloading");
            else job.fail(Kind.ENGINE_ERROR, "engine queue is full (" + QUEUE_CAPACITY + " jobs)");
        }
        return job;
    }

    @Override
    public boolean alive() {
        return !closed.get();
    }

    @Override
    public String deathReason() {
        return closed.get() ? "closed" : null;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        List<Runnable> queued = executor.shutdownNow();
        for (Runnable r : queued) ((Job) r).fail(Kind.CANCELLED, "model is unloading");
        for (Job current : running) current.cancel();
        try {
            if (executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) release();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One submitted job as the engine thread sees it. */
    public final class Job implements Runnable, RunningJob {
        private final EngineRequest request;
        private final JobListener listener;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile boolean cancelled;

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
            running.add(this);
            try {
                ThreadedEngine.this.run(request, this);
                if (!ended.get()) fail(Kind.ENGINE_ERROR, "engine ended the job without a result");
            } catch (RuntimeException | Error e) {
                fail(Kind.ENGINE_ERROR, name + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            } finally {
                running.remove(this);
            }
        }

        /** Marks the job cancelled; a queued job ends now, a running one when the engine next checks. */
        @Override
        public void cancel() {
            cancelled = true;
            if (executor.remove(this)) fail(Kind.CANCELLED, "cancelled");
        }

        public boolean cancelled() {
            return cancelled;
        }

        public void delta(String text) {
            if (!ended.get() && !text.isEmpty()) listener.onDelta(text);
        }

        public void reasoning(String text) {
            if (!ended.get() && !text.isEmpty()) listener.onReasoning(text);
        }

        public void toolCall(JobListener.ToolCall call) {
            if (!ended.get()) listener.onToolCall(call);
        }

        /** Progress that is not output yet (see {@link JobListener#onProgress}). */
        public void progress() {
            if (!ended.get()) listener.onProgress();
        }

        public void embeddings(List<float[]> vectors) {
            if (!ended.get()) listener.onEmbeddings(vectors);
        }

        public void samples(float[] samples, int sampleRate) {
            if (!ended.get() && samples.length > 0) listener.onSamples(samples, sampleRate);
        }

        public void transcript(Transcript t) {
            if (!ended.get()) listener.onTranscript(t);
        }

        public void complete(JobListener.Usage usage, String finishReason) {
            if (ended.compareAndSet(false, true)) listener.onComplete(usage, finishReason);
        }

        public void fail(Kind kind, String message) {
            if (ended.compareAndSet(false, true)) listener.onError(new EngineFailure(kind, message));
        }
    }
}
