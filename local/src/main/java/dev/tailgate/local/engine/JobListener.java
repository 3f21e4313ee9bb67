package dev.tailgate.local.engine;

import java.util.List;

/**
 * Progress and outcome of one job. Called from engine/supervisor threads: implementations must be fast and never throw.
 * Every call counts as progress for the stuck-job watchdog; {@link #onProgress} is nothing else.
 */
public interface JobListener {

    /** A piece of generated text (chat only), in order. */
    default void onDelta(String text) {}

    /** A piece of the model's reasoning ({@code <think>} text or a server's {@code reasoning_content}), in order. */
    default void onReasoning(String text) {}

    /** One complete tool call the model made, in order (chat with tools only). */
    default void onToolCall(ToolCall call) {}

    /**
     * The engine made progress that is not output yet: a tool call being written (calls are reported whole, once
     * complete) or llama-server evaluating the prompt. For the stuck-job watchdog only: nothing reaches the client.
     */
    default void onProgress() {}

    /** The vectors for an embeddings job, in input order. */
    default void onEmbeddings(List<float[]> vectors) {}

    /**
     * The next piece of a speech job's waveform, in order: mono samples in [-1, 1] at {@code sampleRate}. Engines make
     * it; {@code engine.audio.SpeechEncoder} turns it into the requested file in qwen-local (workers map no codec).
     */
    default void onSamples(float[] samples, int sampleRate) {}

    /** The next piece of an encoded audio file, in order: what {@code SpeechEncoder} hands the HTTP responders. */
    default void onAudio(byte[] chunk) {}

    /** The result of a transcription job, once, before {@link #onComplete}. */
    default void onTranscript(Transcript transcript) {}

    void onComplete(Usage usage, String finishReason);

    void onError(EngineFailure failure);

    /**
     * Token counts of a finished job. {@code cachedPromptTokens}: how many of the prompt tokens the engine reused from
     * its prompt cache instead of evaluating them (llama-server reports it; 0 when the engine does not say).
     */
    record Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
        public Usage(int promptTokens, int completionTokens) {
            this(promptTokens, completionTokens, 0);
        }
    }

    /** {@code arguments} is a JSON object as text, as OpenAI's {@code function.arguments}. */
    record ToolCall(String id, String name, String arguments) {}
}
