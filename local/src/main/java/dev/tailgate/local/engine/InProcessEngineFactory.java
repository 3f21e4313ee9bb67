package dev.tailgate.local.engine;

import dev.tailgate.local.engine.audio.FFmpegNatives;
import dev.tailgate.local.engine.llama.LlamaChatEngine;
import dev.tailgate.local.engine.llama.LlamaEmbeddingEngine;
import dev.tailgate.local.engine.llama.LlamaMemoryEstimate;
import dev.tailgate.local.engine.onnx.OnnxEmbeddingEngine;
import dev.tailgate.local.engine.speech.EspeakNative;
import dev.tailgate.local.engine.speech.EspeakSpeechEngine;
import dev.tailgate.local.engine.speech.KokoroSpeechEngine;
import dev.tailgate.local.engine.speech.PiperSpeechEngine;
import dev.tailgate.local.engine.whisper.WhisperTranscriptionEngine;
import java.util.Locale;

/**
 * Loads engines inside this process, choosing by {@link ModelSpec#engine()} and capability. Used by the worker
 * process (which hosts exactly one) and by benchmarks/tests; qwen-local itself should use
 * {@code engine.worker.WorkerProcessFactory} so that a native crash cannot take the service down.
 *
 * <p>Engines: {@code llama.cpp} (aliases {@code llama}, {@code llamacpp}) for chat and GGUF embeddings, {@code onnx} for
 * embeddings, {@code espeak-ng}, {@code kokoro} and {@code piper} for speech, {@code whisper.cpp} for transcription.
 */
public final class InProcessEngineFactory implements EngineFactory {

    @Override
    public LoadedModel load(ModelSpec spec) throws EngineException {
        return switch (kind(spec)) {
            case LLAMA_CHAT -> LlamaChatEngine.load(spec);
            case LLAMA_EMBEDDINGS -> LlamaEmbeddingEngine.load(spec);
            case ONNX_EMBEDDINGS -> OnnxEmbeddingEngine.load(spec);
            case ESPEAK_SPEECH -> EspeakSpeechEngine.load(spec);
            case KOKORO_SPEECH -> KokoroSpeechEngine.load(spec);
            case PIPER_SPEECH -> PiperSpeechEngine.load(spec);
            case WHISPER_TRANSCRIPTION -> WhisperTranscriptionEngine.load(spec);
        };
    }

    @Override
    public long estimateMemoryBytes(ModelSpec spec) {
        try {
            return switch (kind(spec)) {
                case LLAMA_CHAT, LLAMA_EMBEDDINGS -> LlamaMemoryEstimate.bytes(spec);
                case ONNX_EMBEDDINGS -> OnnxEmbeddingEngine.MEMORY_ESTIMATE;
                case ESPEAK_SPEECH -> EspeakSpeechEngine.MEMORY_ESTIMATE;
                case KOKORO_SPEECH -> KokoroSpeechEngine.estimate(spec);
                case PIPER_SPEECH -> PiperSpeechEngine.estimate(spec);
                case WHISPER_TRANSCRIPTION -> WhisperTranscriptionEngine.estimate(spec);
            };
        } catch (EngineException e) {
            return 0;
        }
    }

    /**
     * espeak-ng speech, Kokoro and Piper (which phonemise with espeak-ng) cannot load without espeak-ng's library, and
     * their audio cannot be encoded without FFmpeg's (which {@code SpeechEncoder} runs in this process, not in the
     * worker). Kokoro also needs a voice file next to it, and a Piper voice its {@code .onnx.json}: without them a model
     * is unavailable (with the file named) rather than failing to load on every request.
     */
    @Override
    public String unavailableReason(ModelSpec spec) {
        try {
            return switch (kind(spec)) {
                case ESPEAK_SPEECH -> speechNativesMissing();
                case KOKORO_SPEECH -> {
                    String natives = speechNativesMissing();
                    yield natives != null ? natives : KokoroSpeechEngine.unavailableReason(spec);
                }
                case PIPER_SPEECH -> {
                    String natives = speechNativesMissing();
                    yield natives != null ? natives : PiperSpeechEngine.unavailableReason(spec);
                }
                default -> null;
            };
        } catch (EngineException e) {
            return null; // an engine that does not exist fails at load, with its own message
        }
    }

    private static String speechNativesMissing() {
        String espeak = EspeakNative.unavailableReason();
        return espeak != null ? espeak : FFmpegNatives.unavailableReason();
    }

    /** Bytes of the model's weights on disk (what a worker's resident memory is measured against); 0 for espeak-ng. */
    public static long weightsBytes(ModelSpec spec) {
        try {
            return switch (kind(spec)) {
                case ONNX_EMBEDDINGS -> OnnxEmbeddingEngine.weightsBytes(spec);
                case KOKORO_SPEECH -> KokoroSpeechEngine.weightsBytes(spec);
                case PIPER_SPEECH -> PiperSpeechEngine.weightsBytes(spec);
                case ESPEAK_SPEECH -> 0;
                case LLAMA_CHAT, LLAMA_EMBEDDINGS, WHISPER_TRANSCRIPTION -> spec.file() == null ? 0 : java.nio.file.Files.size(spec.file());
            };
        } catch (EngineException | java.io.IOException e) {
            return 0;
        }
    }

    /** The engine implementations there are. */
    public enum Kind { LLAMA_CHAT, LLAMA_EMBEDDINGS, ONNX_EMBEDDINGS, ESPEAK_SPEECH, KOKORO_SPEECH, PIPER_SPEECH, WHISPER_TRANSCRIPTION }

    /** Which engine serves {@code spec}, or an {@link EngineException} saying why none does. */
    public static Kind kind(ModelSpec spec) throws EngineException {
        String engine = spec.engine() == null ? "" : spec.engine().toLowerCase(Locale.ROOT);
        switch (engine) {
            case "llama.cpp", "llama", "llamacpp" -> {
                if (spec.capability() == ModelSpec.Capability.CHAT) return Kind.LLAMA_CHAT;
                if (spec.capability() == ModelSpec.Capability.EMBEDDINGS) return Kind.LLAMA_EMBEDDINGS;
            }
            case "onnx" -> {
                if (spec.capability() == ModelSpec.Capability.EMBEDDINGS) return Kind.ONNX_EMBEDDINGS;
            }
            case EspeakSpeechEngine.ENGINE -> {
                if (spec.capability() == ModelSpec.Capability.SPEECH) return Kind.ESPEAK_SPEECH;
            }
            case KokoroSpeechEngine.ENGINE -> {
                if (spec.capability() == ModelSpec.Capability.SPEECH) return Kind.KOKORO_SPEECH;
            }
            case PiperSpeechEngine.ENGINE -> {
                if (spec.capability() == ModelSpec.Capability.SPEECH) return Kind.PIPER_SPEECH;
            }
            case WhisperTranscriptionEngine.ENGINE -> {
                if (spec.capability() == ModelSpec.Capability.TRANSCRIPTION) return Kind.WHISPER_TRANSCRIPTION;
            }
            default -> throw new EngineException("model '" + spec.id() + "': unknown engine '" + spec.engine()
                    + "' (known: llama.cpp, onnx, espeak-ng, kokoro, piper, whisper.cpp)");
        }
        throw new EngineException("model '" + spec.id() + "': engine '" + spec.engine() + "' does not serve "
                + spec.capability().wireName());
    }
}
