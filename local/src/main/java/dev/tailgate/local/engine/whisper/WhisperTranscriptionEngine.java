package dev.tailgate.local.engine.whisper;

import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ThreadedEngine;
import dev.tailgate.local.engine.Transcript;
import dev.tailgate.local.engine.audio.AudioDecoder;
import dev.tailgate.local.engine.audio.AudioException;
import dev.tailgate.local.engine.llama.TestHooks;
import io.github.givimad.whisperjni.WhisperContext;
import io.github.givimad.whisperjni.WhisperFullParams;
import io.github.givimad.whisperjni.WhisperJNI;
import io.github.givimad.whisperjni.WhisperSamplingStrategy;
import io.github.givimad.whisperjni.WhisperState;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * whisper.cpp through whisper-jni on a ggml Whisper model (tiny, base, base.en, small, …). The upload is decoded and
 * resampled to 16 kHz mono by FFmpeg; each job gets its own whisper state, so {@code parallel} jobs can share the one
 * loaded model. whisper-jni has no abort hook: a cancelled job stops at the next 30 s window (a hung one is the
 * watchdog's). Segment timestamps only: whisper-jni exposes no token timings, so word timestamps are refused.
 */
public final class WhisperTranscriptionEngine extends ThreadedEngine {
    /** The config's {@code engine:} name. */
    public static final String ENGINE = "whisper.cpp";
    public static final int SAMPLE_RATE = 16_000;
    /**
     * Audio is decoded in windows of whisper's own 30 s input, each window's segments handed out (as deltas) before
     * the next is decoded: whisper-jni has no new-segment callback. The state is kept across windows, so each window
     * is conditioned on the text before it, as whisper.cpp does within one call.
     */
    static final int WINDOW_SAMPLES = 30 * SAMPLE_RATE;
    /** Per job: mel spectrogram, KV caches and compute buffers of the small models. */
    static final long STATE_BYTES = 96L << 20;

    private final WhisperJNI whisper;
    private final WhisperContext context;
    private final boolean multilingual;
    private final int threads;
    private final long memoryEstimate;

    private WhisperTranscriptionEngine(ModelSpec spec, WhisperJNI whisper, WhisperContext context) {
        super("whisper-" + spec.id(), spec.parallel());
        this.whisper = whisper;
        this.context = context;
        this.multilingual = whisper.isMultilingual(context);
        this.threads = Math.max(1, spec.threads());
        this.memoryEstimate = estimate(spec);
    }

    public static long estimate(ModelSpec spec) {
        try {
            return (spec.file() == null ? 0 : Files.size(spec.file())) + STATE_BYTES * spec.parallel();
        } catch (IOException e) {
            return STATE_BYTES * spec.parallel();
        }
    }

    public static WhisperTranscriptionEngine load(ModelSpec spec) throws EngineException {
        if (spec.file() == null) throw new EngineException("model '" + spec.id() + "': whisper.cpp needs a ggml model file");
        if (!Files.isRegularFile(spec.file())) throw new EngineException("model file " + spec.file() + " is missing");
        try {
            WhisperJNI.loadLibrary();
            WhisperJNI.setLibraryLogger(line -> {}); // whisper.cpp's own log is per-tensor noise
        } catch (IOException | LinkageError e) {
            throw new EngineException("whisper.cpp natives do not load: " + e.getMessage(), e);
        }
        WhisperJNI whisper = new WhisperJNI();
        WhisperContext context;
        try {
            context = whisper.initNoState(spec.file());
        } catch (IOException e) {
            throw new EngineException("cannot read " + spec.file() + ": " + e.getMessage(), e);
        }
        // whisper-jni answers a file whisper.cpp refuses with null, not an exception
        if (context == null) throw new EngineException(spec.file() + " is not a ggml Whisper model whisper.cpp can load");
        return new WhisperTranscriptionEngine(spec, whisper, context);
    }

    @Override
    protected void run(EngineRequest request, Job job) {
        if (!(request instanceof EngineRequest.Transcribe t)) {
            job.fail(Kind.BAD_REQUEST, "this model only transcribes (whisper.cpp)");
            return;
        }
        float[] samples;
        try {
            samples = AudioDecoder.decode(t.audio(), SAMPLE_RATE).samples();
        } catch (AudioException e) {
            job.fail(Kind.BAD_REQUEST, "Audio file could not be decoded: " + e.getMessage());
            return;
        }
        if (t.prompt() != null) TestHooks.apply(t.prompt());
        String language = t.language() != null ? t.language() : multilingual ? "auto" : "en";
        WhisperFullParams params = new WhisperFullParams(WhisperSamplingStrategy.GREEDY);
        params.nThreads = threads;
        params.language = language;
        params.translate = t.translate();
        params.initialPrompt = t.prompt();
        params.temperature = (float) t.temperature();
        params.printProgress = false;
        params.printRealtime = false;
        params.printTimestamps = false;
        params.printSpecial = false;
        WhisperState state = whisper.initState(context);
        List<Transcript.Segment> segments = new ArrayList<>();
        try {
            int windows = Math.max(1, (samples.length + WINDOW_SAMPLES - 1) / WINDOW_SAMPLES);
            for (int w = 0; w < windows; w++) {
                if (job.cancelled()) {
                    job.fail(Kind.CANCELLED, "cancelled");
                    return;
                }
                if (w == windows - 1 && t.prompt() != null) TestHooks.beforeLastWindow(t.prompt());
                int from = w * WINDOW_SAMPLES;
                float[] window = Arrays.copyOfRange(samples, from, Math.min(samples.length, from + WINDOW_SAMPLES));
                int rc = whisper.fullWithState(context, state, params, window, window.length);
                if (rc != 0) {
                    job.fail(Kind.ENGINE_ERROR, "whisper.cpp failed to transcribe (error " + rc + ")");
                    return;
                }
                double offset = from / (double) SAMPLE_RATE;
                int n = whisper.fullNSegmentsFromState(state);
                for (int i = 0; i < n; i++) {
                    Transcript.Segment segment = new Transcript.Segment(
                            offset + whisper.fullGetSegmentTimestamp0FromState(state, i) / 100.0,
                            offset + whisper.fullGetSegmentTimestamp1FromState(state, i) / 100.0,
                            whisper.fullGetSegmentTextFromState(state, i));
                    segments.add(segment);
                    job.delta(segment.text()); // streamed as decoded: a long file's first text does not wait for its end
                }
            }
        } finally {
            whisper.free(state);
        }
        double seconds = samples.length / (double) SAMPLE_RATE;
        job.transcript(new Transcript(seconds, language, segments));
        job.complete(new JobListener.Usage(0, 0), "stop");
    }

    @Override
    public long memoryBytes() {
        return memoryEstimate;
    }

    @Override
    protected void release() {
        whisper.free(context);
    }
}
