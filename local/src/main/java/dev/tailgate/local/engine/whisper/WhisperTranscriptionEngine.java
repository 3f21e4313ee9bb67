package dev.tailgate.local.engine.whisper;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

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
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * whisper.cpp (its C API through FFM, {@link WhisperLibrary}) on a ggml Whisper model (tiny, base, base.en, small, …).
 * The upload is decoded and resampled to 16 kHz mono by FFmpeg; each job gets its own whisper state, so
 * {@code parallel} jobs can share the one loaded model. A cancelled job stops at the next 30 s window (a hung one is
 * the watchdog's). With {@link EngineRequest.Transcribe#words()} whisper also times each token, and the tokens are
 * merged into timed words ({@link WordAssembler}).
 */
public final class WhisperTranscriptionEngine extends ThreadedEngine {
    /** The config's {@code engine:} name. */
    public static final String ENGINE = "whisper.cpp";
    public static final int SAMPLE_RATE = 16_000;
    /**
     * Audio is decoded in windows of whisper's own 30 s input, each window's segments handed out (as deltas) before
     * the next is decoded. Each window is decoded as whisper.cpp's defaults decode a call ({@code no_context}: not
     * conditioned on the text before it), with the prompt; the windows after the first keep the first's language.
     */
    static final int WINDOW_SAMPLES = 30 * SAMPLE_RATE;
    /** How much the temperature rises for each retry of a window whisper decoded with too little confidence. */
    static final float TEMPERATURE_STEP = 0.4f;
    /** Per job: mel spectrogram, KV caches and compute buffers of the small models. */
    static final long STATE_BYTES = 96L << 20;

    private final WhisperLibrary whisper;
    private final MemorySegment context;
    private final boolean multilingual;
    private final int specialTokens;
    private final int threads;
    private final long memoryEstimate;

    private WhisperTranscriptionEngine(ModelSpec spec, WhisperLibrary whisper, MemorySegment context) throws EngineException {
        super("whisper-" + spec.id(), spec.parallel());
        this.whisper = whisper;
        this.context = context;
        this.multilingual = whisper.multilingual(context);
        this.specialTokens = whisper.tokenEot(context);
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
        WhisperLibrary whisper = WhisperLibrary.get();
        MemorySegment context = whisper.load(spec.file());
        try {
            return new WhisperTranscriptionEngine(spec, whisper, context);
        } catch (EngineException | RuntimeException e) {
            whisper.free(context);
            throw e;
        }
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
        try {
            if (t.language() != null && whisper.languageId(t.language()) < 0) {
                job.fail(Kind.BAD_REQUEST, "Invalid 'language': whisper knows no language '" + t.language() + "'.");
                return;
            }
            transcribe(t, samples, job);
        } catch (EngineException e) {
            job.fail(Kind.ENGINE_ERROR, e.getMessage());
        }
    }

    private void transcribe(EngineRequest.Transcribe t, float[] samples, Job job) throws EngineException {
        double seconds = samples.length / (double) SAMPLE_RATE;
        String language = t.language() != null ? t.language() : multilingual ? "auto" : "en";
        List<Transcript.Segment> segments = new ArrayList<>();
        WordAssembler words = new WordAssembler(seconds);
        MemorySegment state = whisper.newState(context);
        if (state.equals(MemorySegment.NULL)) {
            job.fail(Kind.ENGINE_ERROR, "whisper.cpp could not allocate a decoding state");
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = whisper.defaultParams(arena);
            params.set(JAVA_INT, WhisperLibrary.offset("n_threads"), threads);
            params.set(JAVA_BOOLEAN, WhisperLibrary.offset("translate"), t.translate());
            params.set(JAVA_BOOLEAN, WhisperLibrary.offset("print_progress"), false);
            params.set(JAVA_BOOLEAN, WhisperLibrary.offset("print_timestamps"), false);
            params.set(JAVA_BOOLEAN, WhisperLibrary.offset("token_timestamps"), t.words());
            params.set(JAVA_FLOAT, WhisperLibrary.offset("temperature"), (float) t.temperature());
            // the fallback whisper-jni 1.7.1 configured, kept: steps of 0.4 with one decoder, not whisper.cpp's 0.2 with
            // best_of 5 (on audio it cannot decode confidently that is ~6× the work: AudioBench's whisper RTF 0.84 vs 0.14)
            params.set(JAVA_FLOAT, WhisperLibrary.offset("temperature_inc"), TEMPERATURE_STEP);
            params.set(JAVA_INT, WhisperLibrary.FULL_PARAMS.byteOffset(groupElement("greedy"), groupElement("best_of")), 1);
            params.set(ADDRESS, WhisperLibrary.offset("language"), arena.allocateFrom(language));
            if (t.prompt() != null) params.set(ADDRESS, WhisperLibrary.offset("initial_prompt"), arena.allocateFrom(t.prompt()));
            MemorySegment window = arena.allocate(JAVA_FLOAT, Math.max(1, Math.min(samples.length, WINDOW_SAMPLES)));
            int windows = Math.max(1, (samples.length + WINDOW_SAMPLES - 1) / WINDOW_SAMPLES);
            for (int w = 0; w < windows; w++) {
                if (job.cancelled()) {
                    job.fail(Kind.CANCELLED, "cancelled");
                    return;
                }
                if (w == windows - 1 && t.prompt() != null) TestHooks.beforeLastWindow(t.prompt());
                int from = w * WINDOW_SAMPLES;
                int count = Math.min(samples.length - from, WINDOW_SAMPLES);
                MemorySegment.copy(samples, from, window, JAVA_FLOAT, 0, count);
                int rc = whisper.full(context, state, params, window, count);
                if (rc != 0) {
                    job.fail(Kind.ENGINE_ERROR, "whisper.cpp failed to transcribe (error " + rc + ")");
                    return;
                }
                if (w == 0) {
                    // reported as the transcript's language (not "auto"), and kept for the later windows
                    String detected = whisper.languageCode(whisper.languageOf(state));
                    if (detected != null) language = detected;
                    params.set(ADDRESS, WhisperLibrary.offset("language"), arena.allocateFrom(language));
                }
                double offset = from / (double) SAMPLE_RATE;
                int n = whisper.segments(state);
                for (int i = 0; i < n; i++) {
                    Transcript.Segment segment = new Transcript.Segment(offset + whisper.segmentStart(state, i) / 100.0,
                            offset + whisper.segmentEnd(state, i) / 100.0, whisper.segmentText(state, i));
                    segments.add(segment);
                    if (t.words()) addWords(state, i, segment, offset, words);
                    job.delta(segment.text()); // streamed as decoded: a long file's first text does not wait for its end
                }
            }
        } finally {
            whisper.freeState(state);
        }
        job.transcript(new Transcript(seconds, language, segments, words.words()));
        job.complete(new JobListener.Usage(0, 0), "stop");
    }

    /** The segment's text tokens (not the special ones: end of text, language, task, [_TT_…] timestamps) into words. */
    private void addWords(MemorySegment state, int segment, Transcript.Segment timing, double offset, WordAssembler words)
            throws EngineException {
        words.segment(timing.start(), timing.end());
        int n = whisper.tokens(state, segment);
        for (int j = 0; j < n; j++) {
            WhisperLibrary.Token token = whisper.token(context, state, segment, j);
            if (token.id() >= specialTokens) continue;
            words.token(token.text(), offset + token.t0() / 100.0, offset + token.t1() / 100.0);
        }
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
