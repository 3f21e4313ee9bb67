package dev.tailgate.local.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Records everything a job reports; counts terminal calls so tests can assert "exactly once". */
public final class RecordingListener implements JobListener {
    public final List<String> deltas = new CopyOnWriteArrayList<>();
    public final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    public final AtomicInteger terminalCalls = new AtomicInteger();
    public final CountDownLatch firstDelta = new CountDownLatch(1);
    public volatile List<float[]> vectors;
    public final java.io.ByteArrayOutputStream audio = new java.io.ByteArrayOutputStream();
    public final AtomicInteger audioChunks = new AtomicInteger();
    public volatile Transcript transcript;
    /** The waveform of a speech job as the engine handed it out, and its rate. */
    public final List<Float> samples = new CopyOnWriteArrayList<>();
    public volatile int sampleRate;
    public final List<ToolCall> toolCalls = new CopyOnWriteArrayList<>();
    /** onProgress calls, and how many of them came before the first delta and before the first tool call (-1: none yet). */
    public final AtomicInteger progress = new AtomicInteger();
    public volatile int progressBeforeFirstDelta = -1;
    public volatile int progressBeforeFirstCall = -1;

    public record Outcome(Usage usage, String finishReason, EngineFailure failure) {
        public boolean ok() { return failure == null; }
    }

    @Override public void onDelta(String text) {
        if (deltas.isEmpty()) progressBeforeFirstDelta = progress.get();
        deltas.add(text);
        firstDelta.countDown();
    }
    @Override public void onToolCall(ToolCall call) {
        if (toolCalls.isEmpty()) progressBeforeFirstCall = progress.get();
        toolCalls.add(call);
    }
    @Override public void onProgress() { progress.incrementAndGet(); }
    @Override public void onEmbeddings(List<float[]> v) { vectors = v; }
    @Override public void onTranscript(Transcript t) { transcript = t; }
    @Override public void onSamples(float[] s, int rate) {
        sampleRate = rate;
        for (float f : s) samples.add(f);
    }
    @Override public void onAudio(byte[] chunk) {
        synchronized (audio) { audio.writeBytes(chunk); }
        audioChunks.incrementAndGet();
    }
    @Override public void onComplete(Usage usage, String finishReason) {
        terminalCalls.incrementAndGet();
        outcome.complete(new Outcome(usage, finishReason, null));
    }
    @Override public void onError(EngineFailure failure) {
        terminalCalls.incrementAndGet();
        outcome.complete(new Outcome(null, null, failure));
    }

    public String text() { return String.join("", deltas); }

    public Outcome await() throws Exception {
        return outcome.get(120, TimeUnit.SECONDS);
    }
}
