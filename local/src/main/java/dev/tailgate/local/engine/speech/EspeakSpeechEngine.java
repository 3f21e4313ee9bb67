package dev.tailgate.local.engine.speech;

import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ThreadedEngine;
import dev.tailgate.local.engine.llama.TestHooks;

/**
 * Speech with espeak-ng's own formant voices: no model file, a few MB of memory, so {@code ./tailgate up} can speak
 * out of the box. Text goes to espeak-ng whole (it splits clauses itself and pauses at punctuation); its samples (at
 * espeak-ng's own rate) are handed out as they arrive, so a streamed response starts after the first ~100 ms of audio
 * are synthesised. Resampling to 24 kHz and encoding are {@code SpeechEncoder}'s, in qwen-local.
 */
public final class EspeakSpeechEngine extends ThreadedEngine {
    /** The config's {@code engine:} name. */
    public static final String ENGINE = "espeak-ng";
    /** Heap-side buffers only; the library itself is a couple of MB. */
    public static final long MEMORY_ESTIMATE = 16L << 20;

    private final EspeakNative espeak;

    private EspeakSpeechEngine(ModelSpec spec, EspeakNative espeak) {
        super("espeak-" + spec.id(), spec.parallel());
        this.espeak = espeak;
    }

    public static EspeakSpeechEngine load(ModelSpec spec) throws EngineException {
        return new EspeakSpeechEngine(spec, EspeakNative.get());
    }

    @Override
    protected void run(EngineRequest request, Job job) {
        if (!(request instanceof EngineRequest.Speech speech)) {
            job.fail(Kind.BAD_REQUEST, "this model only speaks (espeak-ng)");
            return;
        }
        String voice = SpeechVoices.espeakVoice(speech.voice()).orElse(null);
        if (voice == null) {
            job.fail(Kind.BAD_REQUEST, "unknown voice '" + speech.voice() + "'");
            return;
        }
        TestHooks.apply(speech.input());
        int rate = espeak.sampleRate();
        try {
            espeak.synthesize(speech.input(), voice, speech.speed(), samples -> job.samples(samples, rate), job::cancelled);
        } catch (EngineException e) {
            job.fail(Kind.ENGINE_ERROR, e.getMessage());
            return;
        }
        if (job.cancelled()) {
            job.fail(Kind.CANCELLED, "cancelled");
            return;
        }
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
