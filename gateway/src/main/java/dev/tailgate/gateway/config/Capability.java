package dev.tailgate.gateway.config;

import java.util.Locale;

/** What a request needs a model to do; the same four words qwen-local's config uses. */
public enum Capability {
    CHAT, EMBEDDINGS, SPEECH, TRANSCRIPTION;

    /** The config/wire spelling: {@code chat}, {@code embeddings}, {@code speech}, {@code transcription}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Capability parse(String text) {
        if (text == null) throw new IllegalArgumentException("capability is missing");
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a capability (chat, embeddings, speech, transcription)");
        }
    }
}
