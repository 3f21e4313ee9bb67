package dev.tailgate.local.engine.speech;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ThreadedEngine;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kokoro-82M through ONNX Runtime: inputs {@code input_ids} int64 [1,T] (padded with 0 at both ends, ≤ 510 ids),
 * {@code style} (the voice's style-table row at the token count), {@code speed}; output {@code waveform} float32 at
 * 24 kHz. Phonemes come from espeak-ng ({@link KokoroPhonemes}); each chunk's audio is trimmed of silence and handed
 * out as soon as it is made, with a pause between chunks (longer after a sentence); {@code SpeechEncoder} encodes it.
 *
 * <p>Files, as {@code models pull kokoro} lays them out next to the model: {@code kokoro-tokenizer.json} (its
 * {@code model.vocab}) and one {@code kokoro-voice-NAME.bin} per voice (float32 [510,1,256], little-endian).
 */
public final class KokoroSpeechEngine extends ThreadedEngine {
    public static final String ENGINE = "kokoro";
    /** Kokoro's waveform rate, which is also the rate of every speech response format. */
    public static final int SAMPLE_RATE = 24_000;
    static final String TOKENIZER = "kokoro-tokenizer.json";
    static final String VOICE_PREFIX = "kokoro-voice-";
    static final int STYLE_ROWS = 510;
    static final int STYLE_WIDTH = 256;
    static final float SILENCE = 0.005f;
    /** Session buffers and per-run activations beyond the weights. */
    static final long RUNTIME_BYTES = 96L << 20;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, float[]> voices;
    private final EspeakNative espeak;
    private final Map<String, Integer> vocab;
    private final long memoryEstimate;

    private KokoroSpeechEngine(ModelSpec spec, OrtEnvironment env, OrtSession session, Map<String, float[]> voices,
                               EspeakNative espeak, Map<String, Integer> vocab) {
        super("kokoro-" + spec.id(), spec.parallel());
        this.env = env;
        this.session = session;
        this.voices = voices;
        this.espeak = espeak;
        this.vocab = vocab;
        this.memoryEstimate = estimate(spec);
    }

    public static long estimate(ModelSpec spec) {
        try {
            return (spec.file() == null ? 0 : Files.size(spec.file())) + RUNTIME_BYTES;
        } catch (IOException e) {
            return RUNTIME_BYTES;
        }
    }

    /** Bytes of the weights: the ONNX graph and every voice's style table. */
    public static long weightsBytes(ModelSpec spec) {
        long total = 0;
        try {
            if (spec.file() != null) total += Files.size(spec.file());
            for (Path voice : voiceFiles(spec.file()).values()) total += Files.size(voice);
        } catch (IOException e) {
            // a file vanished: count what was there
        }
        return total;
    }

    /** Voice name → its style-table file, for the voices next to {@code model}; empty when there are none. */
    static Map<String, Path> voiceFiles(Path model) {
        Map<String, Path> out = new java.util.TreeMap<>();
        if (model == null || model.getParent() == null) return out;
        try (var files = Files.list(model.getParent())) {
            files.forEach(f -> {
                String n = f.getFileName().toString();
                if (n.startsWith(VOICE_PREFIX) && n.endsWith(".bin")) {
                    out.put(n.substring(VOICE_PREFIX.length(), n.length() - 4), f);
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /**
     * Null when the model has voices next to it; otherwise that it has none and how to get one (the operator's to fix,
     * so the model is {@code unavailable} rather than failing to load on every request).
     */
    public static String unavailableReason(ModelSpec spec) {
        if (spec.file() == null || !voiceFiles(spec.file()).isEmpty()) return null;
        return "no Kokoro voices (" + VOICE_PREFIX + "NAME.bin) next to " + spec.file().getFileName()
                + " — run: tailgate models pull kokoro";
    }

    public static KokoroSpeechEngine load(ModelSpec spec) throws EngineException {
        if (spec.file() == null || !Files.isRegularFile(spec.file())) {
            throw new EngineException("model '" + spec.id() + "': Kokoro needs its ONNX file (models pull kokoro)");
        }
        Map<String, Path> files = voiceFiles(spec.file());
        if (files.isEmpty()) throw new EngineException("no Kokoro voices (" + VOICE_PREFIX + "NAME.bin) next to " + spec.file());
        Map<String, float[]> voices = new HashMap<>();
        try {
            for (var e : files.entrySet()) voices.put(e.getKey(), styleTable(e.getValue()));
        } catch (IOException e) {
            throw new EngineException("cannot read a Kokoro voice: " + e.getMessage(), e);
        }
        Map<String, Integer> vocab = vocab(spec.file().resolveSibling(TOKENIZER));
        EspeakNative espeak = EspeakNative.get();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = SpeechGraph.open(env, spec.file(), spec.threads(), "a Kokoro model", List.of("input_ids", "style", "speed"));
        return new KokoroSpeechEngine(spec, env, session, voices, espeak, vocab);
    }

    private static float[] styleTable(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != STYLE_ROWS * STYLE_WIDTH * 4) {
            throw new IOException(file + " is " + bytes.length + " bytes, not a [510,1,256] float32 style table");
        }
        float[] table = new float[STYLE_ROWS * STYLE_WIDTH];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(table);
        return table;
    }

    private static Map<String, Integer> vocab(Path tokenizer) throws EngineException {
        try {
            JsonNode v = Json.parse(Files.readAllBytes(tokenizer)).path("model").path("vocab");
            if (!v.isObject() || v.isEmpty()) throw new EngineException(tokenizer + " has no model.vocab");
            Map<String, Integer> out = new HashMap<>();
            v.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
            return out;
        } catch (IOException | RuntimeException e) {
            throw new EngineException("cannot read Kokoro's symbols from " + tokenizer + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void run(EngineRequest request, Job job) {
        if (!(request instanceof EngineRequest.Speech speech)) {
            job.fail(Kind.BAD_REQUEST, "this model only speaks (Kokoro)");
            return;
        }
        float[] table = voices.get(speech.voice());
        if (table == null) {
            job.fail(Kind.BAD_REQUEST, "unknown voice '" + speech.voice() + "'");
            return;
        }
        // Kokoro's voice names start with the accent: a = American, b = British English.
        String accent = speech.voice().startsWith("b") ? "en" : "en-us"; // espeak-ng calls British English "en"
        try {
            List<KokoroPhonemes.Chunk> chunks = new KokoroPhonemes(espeak, vocab, accent).chunks(speech.input());
            for (int i = 0; i < chunks.size(); i++) {
                if (job.cancelled()) {
                    job.fail(Kind.CANCELLED, "cancelled");
                    return;
                }
                KokoroPhonemes.Chunk chunk = chunks.get(i);
                job.samples(trim(infer(chunk.ids(), table, speech.speed())), SAMPLE_RATE);
                if (i < chunks.size() - 1) job.samples(new float[SAMPLE_RATE * (chunk.sentenceEnd() ? 300 : 120) / 1000], SAMPLE_RATE);
            }
        } catch (EngineException | OrtException e) {
            job.fail(Kind.ENGINE_ERROR, e.getMessage());
            return;
        }
        job.complete(new JobListener.Usage(speech.input().length(), 0), "stop");
    }

    private float[] infer(long[] ids, float[] table, double speed) throws OrtException {
        long[][] padded = new long[1][ids.length + 2];
        System.arraycopy(ids, 0, padded[0], 1, ids.length);
        int row = Math.min(ids.length, STYLE_ROWS - 1);
        float[][] style = {Arrays.copyOfRange(table, row * STYLE_WIDTH, (row + 1) * STYLE_WIDTH)};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, padded));
            in.put("style", OnnxTensor.createTensor(env, style));
            in.put("speed", OnnxTensor.createTensor(env, new float[] {(float) speed}));
            try (OrtSession.Result result = session.run(in)) {
                OnnxValue out = result.get(0);
                Object v = out.getValue();
                return v instanceof float[][] rows ? rows[0] : (float[]) v;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** Drops near-silent samples at both ends (the model pads each chunk with some). */
    static float[] trim(float[] w) {
        int start = 0;
        int end = w.length;
        while (start < end && Math.abs(w[start]) < SILENCE) start++;
        while (end > start && Math.abs(w[end - 1]) < SILENCE) end--;
        return start == 0 && end == w.length ? w : Arrays.copyOfRange(w, start, end);
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
