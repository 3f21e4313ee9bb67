package dev.tailgate.local.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Short names for the models Tailgate knows how to run, mapped to hub files. Every source was checked against the
 * public repositories: Qwen's official GGUF repos (single-file q4_k_m quantisations), whisper.cpp's ggml models,
 * the ONNX export of Kokoro v1.0 (ONNX Runtime is already in qwen-local; the .pth needs PyTorch), and rhasspy's
 * Piper voices (each a VITS .onnx with its .onnx.json).
 */
public final class ModelCatalog {
    /** One file to fetch and the name it gets in the models directory. */
    public record Item(HfSource source, String localName) {
        public static Item of(String source) {
            HfSource s = HfSource.parse(source);
            return new Item(s, s.fileName());
        }

        public static Item of(String source, String localName) {
            return new Item(HfSource.parse(source), localName);
        }
    }

    public record Entry(String name, String description, List<Item> items) {}

    private static final Map<String, Entry> BUILT_IN = new LinkedHashMap<>();

    static {
        add("qwen2.5-0.5b-instruct", "Qwen2.5 0.5B Instruct, q4_k_m GGUF (~0.5 GB)",
                Item.of("hf://Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf"));
        add("qwen2.5-1.5b-instruct", "Qwen2.5 1.5B Instruct, q4_k_m GGUF (~1.1 GB)",
                Item.of("hf://Qwen/Qwen2.5-1.5B-Instruct-GGUF/qwen2.5-1.5b-instruct-q4_k_m.gguf"));
        add("qwen2.5-3b-instruct", "Qwen2.5 3B Instruct, q4_k_m GGUF (~2.1 GB)",
                Item.of("hf://Qwen/Qwen2.5-3B-Instruct-GGUF/qwen2.5-3b-instruct-q4_k_m.gguf"));
        add("whisper-tiny", "whisper.cpp tiny (multilingual), ggml (~78 MB)",
                Item.of("hf://ggerganov/whisper.cpp/ggml-tiny.bin"));
        add("whisper-tiny.en", "whisper.cpp tiny.en, ggml (~78 MB)",
                Item.of("hf://ggerganov/whisper.cpp/ggml-tiny.en.bin"));
        add("whisper-base", "whisper.cpp base (multilingual), ggml (~148 MB)",
                Item.of("hf://ggerganov/whisper.cpp/ggml-base.bin"));
        add("whisper-base.en", "whisper.cpp base.en, ggml (~148 MB)",
                Item.of("hf://ggerganov/whisper.cpp/ggml-base.en.bin"));
        add("kokoro", "Kokoro 82M v1.0 TTS, ONNX int8 + af_heart voice + tokenizer (~92 MB)",
                Item.of("hf://onnx-community/Kokoro-82M-v1.0-ONNX/onnx/model_quantized.onnx", "kokoro-v1.0-q8.onnx"),
                Item.of("hf://onnx-community/Kokoro-82M-v1.0-ONNX/voices/af_heart.bin", "kokoro-voice-af_heart.bin"),
                Item.of("hf://onnx-community/Kokoro-82M-v1.0-ONNX/tokenizer.json", "kokoro-tokenizer.json"));
        add("piper-en_US-lessac-medium", "Piper voice en_US lessac (medium, 22.05 kHz), VITS ONNX + its .onnx.json (~63 MB)",
                Item.of("hf://rhasspy/piper-voices/en/en_US/lessac/medium/en_US-lessac-medium.onnx"),
                Item.of("hf://rhasspy/piper-voices/en/en_US/lessac/medium/en_US-lessac-medium.onnx.json"));
    }

    private ModelCatalog() {}

    private static void add(String name, String description, Item... items) {
        BUILT_IN.put(name, new Entry(name, description, List.of(items)));
    }

    public static Optional<Entry> find(String name) {
        return Optional.ofNullable(BUILT_IN.get(name));
    }

    public static List<Entry> entries() {
        return List.copyOf(BUILT_IN.values());
    }
}
