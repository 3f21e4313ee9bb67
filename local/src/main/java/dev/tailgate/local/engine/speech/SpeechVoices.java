package dev.tailgate.local.engine.speech;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The voices a speech engine offers, by the names clients send as {@code voice}. The espeak-ng engine answers to the
 * OpenAI voice names (so SDKs and tools that only know those work unchanged), each mapped to an espeak-ng voice and
 * variant with a fitting gender and accent; Kokoro to its own voice names ({@code af_heart}, …); a Piper voice to its
 * name ({@code en_US-lessac-medium}), or a multi-speaker one to its speakers' names.
 */
public final class SpeechVoices {
    private static final SequencedMap<String, String> ESPEAK = new LinkedHashMap<>();

    static {
        ESPEAK.put("alloy", "en-us");
        ESPEAK.put("ash", "en-us+m1");
        ESPEAK.put("ballad", "en-gb-x-rp+m2");
        ESPEAK.put("coral", "en-us+f1");
        ESPEAK.put("echo", "en-us+m3");
        ESPEAK.put("fable", "en+m4");
        ESPEAK.put("onyx", "en-us+m7");
        ESPEAK.put("nova", "en-us+f3");
        ESPEAK.put("sage", "en-us+f4");
        ESPEAK.put("shimmer", "en-us+f2");
        ESPEAK.put("verse", "en-us+m5");
        ESPEAK.put("marin", "en-us+f5");
        ESPEAK.put("cedar", "en-us+m6");
    }

    private SpeechVoices() {}

    /**
     * Voice name → the engine's own voice (espeak-ng voice+variant, Kokoro style-table file, Piper file or speaker id), in a stable order, for
     * a model's engine and file; empty for engines that do not speak. Kokoro's voices are the files next to its model,
     * so one pulled while the service runs is usable at once.
     */
    public static SequencedMap<String, String> of(String engine, Path modelFile) {
        if (EspeakSpeechEngine.ENGINE.equals(engine)) return Collections.unmodifiableSequencedMap(ESPEAK);
        SequencedMap<String, String> out = new LinkedHashMap<>();
        if (KokoroSpeechEngine.ENGINE.equals(engine)) {
            KokoroSpeechEngine.voiceFiles(modelFile).forEach((name, file) -> out.put(name, file.getFileName().toString()));
        }
        if (PiperSpeechEngine.ENGINE.equals(engine)) {
            PiperVoice.voices(modelFile).forEach((name, sid) -> out.put(name, sid == null ? modelFile.getFileName().toString() : "speaker " + sid));
        }
        return out;
    }

    static Optional<String> espeakVoice(String name) {
        return Optional.ofNullable(ESPEAK.get(name));
    }
}
