package dev.tailgate.local.engine;

import java.nio.file.Path;

/**
 * Everything an engine needs to load one configured model. {@code file} is absolute or null (engines with a
 * built-in model, such as the ONNX all-MiniLM-L6-v2 shipped in the application).
 *
 * <p>{@code parallel}: how many jobs the engine runs at once (llama.cpp: that many sequences batched together, each
 * with the full {@code context}); jobs beyond it wait inside the engine. Set it to the model's {@code max_concurrency}.
 * Defaults to 1.
 */
public record ModelSpec(String id, Capability capability, String engine, Path file, int context, int threads, int parallel) {

    public ModelSpec {
        if (parallel < 1) parallel = 1;
    }

    /** One job at a time. */
    public ModelSpec(String id, Capability capability, String engine, Path file, int context, int threads) {
        this(id, capability, engine, file, context, threads, 1);
    }

    public enum Capability {
        CHAT, EMBEDDINGS, SPEECH, TRANSCRIPTION;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
