package dev.tailgate.local.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** What a job asks of an engine. The chat body is the OpenAI request as received (model already resolved). */
public sealed interface EngineRequest {

    record Chat(ObjectNode body) implements EngineRequest {}

    record Embed(List<String> inputs) implements EngineRequest {}

    /**
     * Text to speak. {@code voice} is one of the model's voice names (validated before submission). The engine hands out
     * the waveform as it is made ({@link JobListener#onSamples}); the response format is {@code SpeechEncoder}'s business.
     */
    record Speech(String input, String voice, double speed) implements EngineRequest {}

    /**
     * An uploaded audio file (any container FFmpeg reads) to transcribe, or with {@code translate} to translate into
     * English. {@code language} (ISO 639-1) and {@code prompt} may be null; {@code temperature} 0 = greedy;
     * {@code words}: also time each word (for {@code timestamp_granularities[]=word}).
     */
    record Transcribe(byte[] audio, String language, String prompt, double temperature, boolean translate, boolean words)
            implements EngineRequest {}
}
