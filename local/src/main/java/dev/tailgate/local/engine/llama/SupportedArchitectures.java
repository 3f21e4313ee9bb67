package dev.tailgate.local.engine.llama;

import java.util.Set;

/**
 * Model architectures this build's llama.cpp (b4916, bundled by java-llama.cpp 4.2.0) is known to load and run —
 * each verified here on a synthetic GGUF (see LlamaChatEngineTest). Newer architectures (qwen3, ...) make the native
 * loader fail or abort, so they are refused before loading.
 */
public final class SupportedArchitectures {
    public static final Set<String> VERIFIED = Set.of("qwen2", "llama");

    private SupportedArchitectures() {}

    public static boolean isSupported(String architecture) {
        return architecture != null && VERIFIED.contains(architecture);
    }
}
