package dev.tailgate.local.engine.speech;

import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ThreadedEngine;
import dev.tailgate.local.engine.audio.AudioEncoder;
import dev.tailgate.local.engine.audio.AudioException;
import dev.tailgate.local.engine.audio.AudioFormat;
import dev.tailgate.local.engine.audio.FFmpegNatives;
import dev.tailgate.local.engine.audio.SeekableBuffer;
import dev.tailgate.local.engine.llama.TestHooks;
import java.io.OutputStream;

/**
 * Speech with espeak-ng's own formant voices: no model file, a few MB of memory, so {@code ./tailgate up} can speak
 * out of the box. Text goes to espeak-ng whole (it splits clauses itself and pauses at punctuation); its samples are
 * encoded as they arrive, so a streamed response starts after the first ~100 ms of audio are synthesised.
 */
public final class EspeakSpeechEngine extends ThreadedEngine {
    /** The config's {@code engine:} name. */
    public static final String ENGINE = "espeak-ng";
    /** Output rate of every speech format (as the OpenAI API: pcm is 24 kHz s16le mono). */
    public static final int OUTPUT_RATE = 24_000;
    /** Heap-side buffers only; the library itself is a couple of MB. */
    public static final long MEMORY_ESTIMATE = 16L << 20;

    private final EspeakNative espeak;

    private EspeakSpeechEngine(ModelSpec spec, EspeakNative espeak) {
        super("espeak-" + spec.id(), spec.parallel());
        this.espeak = espeak;
    }

    public static EspeakSpeechEngine load(ModelSpec spec) throws EngineException {
        EspeakNative espeak = EspeakNative.get();
        try {
            FFmpegNatives.load();
        } catch (AudioException e) {
            throw new EngineException(e.getMessage(), e);
        }
        return new EspeakSpeechEngine(spec, espeak);
    }

    @Override
    protected void run(EngineRequest request, Job job) {
        if (!(request instanceof EngineRequest.Speech speech)) {
            job.fail(Kind.BAD_REQUEST, "this model only speaks (espeak-ng)");
            return;
        }
        String voice = SpeechVoices.espeakVoice(speech.voice()).orElse(null);
        AudioFormat format = AudioFormat.fromWire(speech.format()).orElse(null);
        if (voice == null || format == null) {
            job.fail(Kind.BAD_REQUEST, "unknown voice '" + speech.voice() + "' or format '" + speech.format() + "'");
            return;
        }
        TestHooks.apply(speech.input());
        OutputStream sink = speech.stream() ? new JobSink(job) : new SeekableBuffer();
        try (AudioEncoder encoder = new AudioEncoder(format, espeak.sampleRate(), OUTPUT_RATE, sink)) {
            espeak.synthesize(speech.input(), voice, speech.speed(), encoder::write, job::cancelled);
            if (job.cancelled()) {
                job.fail(Kind.CANCELLED, "cancelled");
                return;
            }
            encoder.finish();
        } catch (EngineException | AudioException e) {
            job.fail(Kind.ENGINE_ERROR, e.getMessage());
            return;
        }
        if (sink instanceof SeekableBuffer whole) job.audio(whole.toByteArray());
        job.complete(new JobListener.Usage(speech.input().length(), 0), "stop");
    }

    @Override
    public long memoryBytes() {
        return MEMORY_ESTIMATE;
    }

    @Override
    protected void release() {
        // espeak-ng stays initialised for the life of the process (its global state cannot be re-created cleanly)
    }
}
