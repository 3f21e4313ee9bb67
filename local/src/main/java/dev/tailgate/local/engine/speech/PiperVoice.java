package dev.tailgate.local.engine.speech;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A Piper voice's {@code NAME.onnx.json}, the file piper writes next to the VITS graph: the output rate
 * ({@code audio.sample_rate}), the espeak-ng voice its phonemes come from ({@code espeak.voice}), the phoneme → ids map,
 * the default {@code inference} scales, and the speakers of a multi-speaker voice ({@code speaker_id_map}).
 */
record PiperVoice(int sampleRate, String espeakVoice, Map<String, long[]> phonemeIds, float noiseScale,
                  float lengthScale, float noiseW, SequencedMap<String, Long> speakers) {
    static final String BOS = "^";
    static final String EOS = "$";
    static final String PAD = "_";

    /** Where piper keeps a voice's config: the model's file name with {@code .json} appended. */
    static Path configOf(Path model) {
        return model.resolveSibling(model.getFileName() + ".json");
    }

    /** The voice's own name: its file name without {@code .onnx} (piper's {@code en_US-lessac-medium}). */
    static String nameOf(Path model) {
        String n = model.getFileName().toString();
        return n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
    }

    /** Null when {@code model}'s config is there; otherwise that it is missing and how to get it. */
    static String missingConfigReason(Path model, String modelId) {
        if (model == null || Files.isRegularFile(configOf(model))) return null;
        return "Piper voice " + model.getFileName() + " has no " + configOf(model).getFileName()
                + " next to it (its phoneme map and sample rate) — run: tailgate models pull " + modelId;
    }

    static PiperVoice read(Path model) throws EngineException {
        Path file = configOf(model);
        try {
            JsonNode c = Json.parse(Files.readAllBytes(file));
            int rate = c.path("audio").path("sample_rate").asInt(0);
            String espeak = c.path("espeak").path("voice").asText("");
            JsonNode map = c.path("phoneme_id_map");
            if (rate <= 0 || espeak.isEmpty() || !map.isObject() || map.isEmpty()) {
                throw new EngineException(file + " is not a Piper voice config (it needs audio.sample_rate, espeak.voice and phoneme_id_map)");
            }
            Map<String, long[]> ids = new HashMap<>();
            map.fields().forEachRemaining(e -> {
                long[] v = new long[e.getValue().size()];
                for (int i = 0; i < v.length; i++) v[i] = e.getValue().get(i).asLong();
                ids.put(e.getKey(), v);
            });
            for (String special : new String[] {BOS, EOS, PAD}) {
                if (!ids.containsKey(special)) throw new EngineException(file + ": phoneme_id_map has no '" + special + "'");
            }
            JsonNode inference = c.path("inference");
            SequencedMap<String, Long> speakers = new LinkedHashMap<>();
            if (c.path("num_speakers").asInt(1) > 1) {
                c.path("speaker_id_map").fields().forEachRemaining(e -> speakers.put(e.getKey(), e.getValue().asLong()));
                if (speakers.isEmpty()) throw new EngineException(file + ": num_speakers > 1 but no speaker_id_map");
            }
            return new PiperVoice(rate, espeak, ids, (float) inference.path("noise_scale").asDouble(0.667),
                    (float) inference.path("length_scale").asDouble(1.0), (float) inference.path("noise_w").asDouble(0.8), speakers);
        } catch (IOException | RuntimeException e) {
            throw new EngineException("cannot read Piper voice config " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Voice names clients send, each with the speaker id to feed as {@code sid} (null for a single-speaker voice, which
     * answers to its own name). Empty when the config is missing or unreadable.
     */
    static SequencedMap<String, Long> voices(Path model) {
        SequencedMap<String, Long> out = new LinkedHashMap<>();
        if (model == null || !Files.isRegularFile(configOf(model))) return out;
        try {
            PiperVoice v = read(model);
            if (v.speakers().isEmpty()) out.put(nameOf(model), null);
            else out.putAll(v.speakers());
        } catch (EngineException e) {
            // unreadable: no voices; loading the model says why
        }
        return out;
    }

    /** The scales input: noise, length (the voice's, divided by {@code speed}), noise_w. */
    float[] scales(double speed) {
        return new float[] {noiseScale, (float) (lengthScale / speed), noiseW};
    }

    /**
     * Phonemes (espeak-ng IPA) → ids as piper makes them: BOS, then each phoneme (one Unicode code point after NFD
     * decomposition) followed by the pad, then EOS. Phonemes the voice has no id for are skipped, as piper does.
     */
    long[] ids(String phonemes) {
        List<Long> out = new ArrayList<>();
        add(out, BOS);
        add(out, PAD);
        Normalizer.normalize(phonemes, Normalizer.Form.NFD).codePoints().forEach(cp -> {
            long[] id = phonemeIds.get(Character.toString(cp));
            if (id == null) return;
            for (long i : id) out.add(i);
            add(out, PAD);
        });
        add(out, EOS);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private void add(List<Long> out, String symbol) {
        for (long i : phonemeIds.get(symbol)) out.add(i);
    }
}
