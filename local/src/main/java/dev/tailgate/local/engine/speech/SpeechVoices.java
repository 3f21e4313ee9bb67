package dev.tailgate.local.engine.speech;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * The voices a speech engine offers, by the names clients send as {@code voice}. The espeak-ng engine answers to the
 * OpenAI voice names (so SDKs and tools that only know those work unchanged), each mapped to an espeak-ng voice and
 * variant with a fitting gender and accent.
 */
public final class SpeechVoices {
    private static final SequencedMap<String, String> ESPEAK = new LinkedHashMap<>();

    static {
        ESPEAK.put("alloy", "en-us");
        ESPEAK.put("ash", "en-us+m1");
        ESPEAK.put("ballad", "en-gb-x-rp+m2");
        ESPEAK.put("coral", "en-us+f1");
        ESPEAK.put("echo", "en-us+m3");
        ESPEAK.put("fable", "en-gb+m4");
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
     * Voice name → the engine's own voice id, in a stable order, for an engine name from the config; empty for engines
     * that do not speak.
     */
    public static SequencedMap<String, String> of(String engine) {
        return EspeakSpeechEngine.ENGINE.equals(engine) ? Collections.unmodifiableSequencedMap(ESPEAK) : new LinkedHashMap<>();
    }

    static Optional<String> espeakVoice(String name) {
        return Optional.ofNullable(ESPEAK.get(name));
    }
}
