package dev.tailgate.local.engine.speech;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ThreadedEngine;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Piper voices (VITS exported to ONNX) through ONNX Runtime: {@code NAME.onnx} plus its {@code NAME.onnx.json}
 * ({@link PiperVoice}). Text is phonemised by espeak-ng in the voice's language, clause by clause with the punctuation
 * put back, and synthesised a sentence at a time: inputs {@code input} int64 [1,T] (piper's ids), {@code input_lengths}
 * int64 [1], {@code scales} float [3] (noise, length = the voice's / speed, noise_w) and, for a multi-speaker voice,
 * {@code sid} int64 [1]; output float32 audio at the voice's rate, which {@code SpeechEncoder} resamples. Each
 * sentence is normalised to a full-scale peak and handed out as soon as it is made, 200 ms of silence between them.
 */
public final class PiperSpeechEngine extends ThreadedEngine {
    public static final String ENGINE = "piper";
    /** Session buffers and per-sentence activations beyond the weights. */
    static final long RUNTIME_BYTES = 64L << 20;
    /** Phoneme characters after which a long sentence is cut at the next clause (VITS' memory grows with its length). */
    static final int MAX_PHONEMES = 400;
    /** Silence between sentences: piper's own default ({@code sentence_silence} 0.2 s in its C++ runtime). */
    static final int SENTENCE_SILENCE_MS = 200;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final PiperVoice voice;
    private final SequencedMap<String, Long> voices;
    private final EspeakNative espeak;
    private final long memoryEstimate;

    private PiperSpeechEngine(ModelSpec spec, OrtEnvironment env, OrtSession session, PiperVoice voice,
                              SequencedMap<String, Long> voices, EspeakNative espeak) {
        super("piper-" + spec.id(), spec.parallel());
        this.env = env;
        this.session = session;
        this.voice = voice;
        this.voices = voices;
        this.espeak = espeak;
        this.memoryEstimate = estimate(spec);
    }

    public static long estimate(ModelSpec spec) {
        return weightsBytes(spec) + RUNTIME_BYTES;
    }

    /** Bytes of the weights: the ONNX graph (its config is a few KB). */
    public static long weightsBytes(ModelSpec spec) {
        try {
            return spec.file() == null ? 0 : Files.size(spec.file());
        } catch (IOException e) {
            return 0;
        }
    }

    /** Null when the voice's {@code .onnx.json} is next to it; otherwise which file is missing and how to get it. */
    public static String unavailableReason(ModelSpec spec) {
        return PiperVoice.missingConfigReason(spec.file(), spec.id());
    }

    public static PiperSpeechEngine load(ModelSpec spec) throws EngineException {
        if (spec.file() == null || !Files.isRegularFile(spec.file())) {
            throw new EngineException("model '" + spec.id() + "': Piper needs its voice's .onnx file — run: tailgate models pull " + spec.id());
        }
        String missing = unavailableReason(spec);
        if (missing != null) throw new EngineException(missing);
        PiperVoice voice = PiperVoice.read(spec.file());
        EspeakNative espeak = EspeakNative.get();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> needed = new ArrayList<>(List.of("input", "input_lengths", "scales"));
        if (!voice.speakers().isEmpty()) needed.add("sid");
        OrtSession session = SpeechGraph.open(env, spec.file(), spec.threads(), "a Piper voice", needed);
        return new PiperSpeechEngine(spec, env, session, voice, PiperVoice.voices(spec.file()), espeak);
    }

    @Override
    protected void run(EngineRequest request, Job job) {
        if (!(request instanceof EngineRequest.Speech speech)) {
            job.fail(Kind.BAD_REQUEST, "this model only speaks (Piper)");
            return;
        }
        if (!voices.containsKey(speech.voice())) {
            job.fail(Kind.BAD_REQUEST, "unknown voice '" + speech.voice() + "'");
            return;
        }
        Long sid = voices.get(speech.voice());
        try {
            List<String> sentences = sentences(speech.input());
            for (int i = 0; i < sentences.size(); i++) {
                if (job.cancelled()) {
                    job.fail(Kind.CANCELLED, "cancelled");
                    return;
                }
                job.samples(infer(voice.ids(sentences.get(i)), sid, speech.speed()), voice.sampleRate());
                if (i < sentences.size() - 1) job.samples(new float[voice.sampleRate() * SENTENCE_SILENCE_MS / 1000], voice.sampleRate());
            }
        } catch (EngineException | OrtException e) {
            job.fail(Kind.ENGINE_ERROR, e.getMessage());
            return;
        }
        job.complete(new JobListener.Usage(speech.input().length(), 0), "stop");
    }

    /**
     * The phonemes of each sentence (as piper synthesises them: one sentence per run), clauses joined by a space after
     * their punctuation; a sentence longer than {@link #MAX_PHONEMES} is cut after the clause that passes it.
     */
    List<String> sentences(String text) throws EngineException {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (Clause c : Clause.split(text)) {
            if (!current.isEmpty()) current.append(' ');
            current.append(espeak.phonemes(c.words(), voice.espeakVoice())).append(c.punctuation());
            if (c.sentenceEnd() || current.length() > MAX_PHONEMES) {
                out.add(current.toString());
                current.setLength(0);
            }
        }
        if (!current.isEmpty()) out.add(current.toString());
        return out;
    }

    private float[] infer(long[] ids, Long sid, double speed) throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input", OnnxTensor.createTensor(env, new long[][] {ids}));
            in.put("input_lengths", OnnxTensor.createTensor(env, new long[] {ids.length}));
            in.put("scales", OnnxTensor.createTensor(env, voice.scales(speed)));
            if (sid != null) in.put("sid", OnnxTensor.createTensor(env, new long[] {sid}));
            try (OrtSession.Result result = session.run(in)) {
                // [1,1,N] from piper's export; read flat whatever the rank
                FloatBuffer audio = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] samples = new float[audio.remaining()];
                audio.get(samples);
                return normalise(samples);
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** Scales a sentence to a peak of 1, as piper does (VITS' raw output level varies by voice and sentence). */
    static float[] normalise(float[] samples) {
        float peak = 0.01f; // piper's floor: a near-silent sentence is not blown up into noise
        for (float s : samples) peak = Math.max(peak, Math.abs(s));
        for (int i = 0; i < samples.length; i++) samples[i] /= peak;
        return samples;
    }

    @Override
    public long memoryBytes() {
        return memoryEstimate;
    }

    @Override
    protected void release() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // the worker exits anyway
        }
    }
}
