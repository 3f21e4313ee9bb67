package dev.tailgate.local.engine;

import java.nio.file.Path;

/**
 * Everything an engine needs to load one configured model. {@code file} is absolute or null (engines with a
 * built-in model, such as the ONNX all-MiniLM-L6-v2 shipped in the application).
 */
public record ModelSpec(String id, Capability capability, String engine, Path file, int context, int threads) {

    public enum Capability {
        CHAT, EMBEDDINGS, SPEECH, TRANSCRIPTION;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
