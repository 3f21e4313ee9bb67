package dev.tailgate.local.engine.llama;

import com.fasterxml.jackson.databind.JsonNode;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure.Kind;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ThreadedEngine;
import dev.tailgate.wire.Json;
import java.util.UUID;

/**
 * A GGUF chat model running in this process through java-llama.cpp. Jobs run one at a time, in order, on the
 * engine's own thread; {@link #submit} never blocks.
 *
 * <p>The production path hosts this class inside a worker process (see {@code engine.worker}): llama.cpp can abort the
 * process, and its {@code close()} does not return the model's memory. In-process use is for benchmarks and tests.
 *
 * <p>Token accounting: one streamed piece per generated token, except that llama.cpp holds back a token that ends in
 * the middle of a UTF-8 character and sends it with the next one, so a character split over several tokens counts
 * once. When generation hits the limit, the completion count is exactly {@code max_tokens}.
 */
public final class LlamaChatEngine extends ThreadedEngine {
    private final ModelSpec spec;
    private final LlamaModel model;
    private final long memoryEstimate;
    private final int addedPromptTokens;

    private LlamaChatEngine(ModelSpec spec, LlamaModel model, long memoryEstimate, int addedPromptTokens) {
        super("llama-" + spec.id(), spec.parallel());
        this.spec = spec;
        this.model = model;
        this.memoryEstimate = memoryEstimate;
        this.addedPromptTokens = addedPromptTokens;
    }

    /** Checks the file, then loads it. Never hands llama.cpp a file whose architecture it cannot run. */
    public static LlamaChatEngine load(ModelSpec spec) throws EngineException {
        GgufHeader header = GgufModels.check(spec);
        // llama.cpp tokenizes completion prompts with special tokens on: files that ask for a BOS token get one more.
        int addedTokens = Boolean.TRUE.equals(header.metadata().get("tokenizer.ggml.add_bos_token")) ? 1 : 0;
        return new LlamaChatEngine(spec, GgufModels.open(spec, p -> p), LlamaMemoryEstimate.bytes(spec), addedTokens);
    }

    public ModelSpec spec() {
        return spec;
    }

    @Override
    protected void run(EngineRequest request, Job job) {
        switch (request) {
            case EngineRequest.Chat chat -> runChat(job, chat);
            default -> job.fail(Kind.BAD_REQUEST, "model '" + spec.id() + "' is a chat model; it serves chat completions only");
        }
    }

    @Override
    public long memoryBytes() {
        return memoryEstimate;
    }

    /**
     * Stops llama.cpp's task loop. The native context itself is not freed by java-llama.cpp 4.2.0 — only ending the
     * process returns that memory, which is what worker processes are for.
     */
    @Override
    protected void release() {
        model.close();
    }

    private void runChat(Job job, EngineRequest.Chat chat) {
        ChatOptions options;
        String prompt;
        int promptTokens;
        try {
            options = ChatOptions.from(chat.body());
            prompt = model.applyTemplate(options.messagesJson());
            // a forced call: the answer starts inside the call, the grammar writes its JSON
            if (options.forcedCallSchema() != null) prompt += AssistantOutput.CALL_OPEN + "\n";
            TestHooks.apply(prompt);
            int encoded = prompt.isEmpty() ? 0 : model.encode(prompt).length;
            promptTokens = encoded == 0 ? 0 : encoded + addedPromptTokens;
        } catch (BadChatRequest e) {
            job.fail(Kind.BAD_REQUEST, e.getMessage());
            return;
        }
        // An empty prompt aborts llama.cpp b4916: never send one.
        if (promptTokens == 0) {
            job.fail(Kind.BAD_REQUEST, "the prompt is empty");
            return;
        }
        int context = GgufModels.context(spec);
        if (promptTokens >= context) {
            job.fail(Kind.BAD_REQUEST, "the prompt is " + promptTokens + " tokens; this model's context is " + context + " tokens");
            return;
        }
        int room = context - promptTokens;
        int limit = options.maxTokens() == null ? room : Math.min(options.maxTokens(), room);
        InferenceParameters p = new InferenceParameters(prompt).setNPredict(limit).setCachePrompt(true);
        if (options.temperature() != null) p.setTemperature(options.temperature());
        if (options.topP() != null) p.setTopP(options.topP());
        if (options.seed() != null) p.setSeed(options.seed());
        if (options.frequencyPenalty() != null) p.setFrequencyPenalty(options.frequencyPenalty());
        if (options.presencePenalty() != null) p.setPresencePenalty(options.presencePenalty());
        if (options.jsonSchema() != null) RawInferenceParameters.put(p, "json_schema", options.jsonSchema());
        if (options.forcedCallSchema() != null) RawInferenceParameters.put(p, "json_schema", options.forcedCallSchema());

        AssistantOutput output = new AssistantOutput(new JobSink(job), options.toolsOffered());
        if (options.forcedCallSchema() != null) output.accept(AssistantOutput.CALL_OPEN + "\n");
        StopMatcher stops = new StopMatcher(options.stop(), output::accept);
        int pieces = 0;
        boolean lastPieceEmpty = false;
        boolean oneCallMade = false;
        LlamaIterator it;
        try {
            it = model.generate(p).iterator();
        } catch (RuntimeException e) {
            job.fail(Kind.BAD_REQUEST, nativeMessage(e));
            return;
        }
        try {
            while (it.hasNext()) {
                if (job.cancelled()) {
                    // Cancel from this thread only: cancelling while another thread waits for the task's next
                    // result would leave that thread waiting forever inside llama.cpp.
                    it.cancel();
                    job.fail(Kind.CANCELLED, "cancelled");
                    return;
                }
                LlamaOutput out = it.next();
                if (!it.hasNext()) break; // the final result: in stream mode it carries no text
                pieces++;
                lastPieceEmpty = out.text.isEmpty();
                if (stops.accept(out.text)) {
                    it.cancel();
                    break;
                }
                if (!options.parallelToolCalls() && output.calls() > 0) {
                    oneCallMade = true;
                    it.cancel();
                    break;
                }
            }
        } catch (RuntimeException e) {
            job.fail(Kind.ENGINE_ERROR, nativeMessage(e));
            return;
        }
        String finish;
        int completion;
        if (stops.stopped() || oneCallMade) {
            finish = "stop";
            completion = pieces;
        } else if (lastPieceEmpty && pieces < limit) {
            finish = "stop"; // the end-of-turn token renders as an empty piece
            completion = pieces;
        } else {
            finish = "length";
            completion = limit;
        }
        stops.flush();
        // the grammar ended the forced call's JSON and the model its turn: close the block it was started in
        if (options.forcedCallSchema() != null && finish.equals("stop")) output.accept("\n" + AssistantOutput.CALL_CLOSE);
        output.finish();
        if (output.calls() > 0) finish = "tool_calls";
        job.complete(new JobListener.Usage(promptTokens, completion), finish);
    }

    /** Hands the parsed parts of the answer to the job; call ids are made here, as OpenAI's are server-made. */
    private record JobSink(Job job) implements AssistantOutput.Sink {
        @Override
        public void text(String text) {
            job.delta(text);
        }

        @Override
        public void reasoning(String text) {
            job.reasoning(text);
        }

        @Override
        public void toolCall(String name, String arguments) {
            job.toolCall(new JobListener.ToolCall("call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24),
                    name, arguments));
        }

        @Override
        public void progress() {
            job.progress();
        }
    }

    /** llama.cpp reports request errors as a JSON object; keep just its message. */
    private static String nativeMessage(RuntimeException e) {
        String m = e.getMessage() == null ? "llama.cpp error" : e.getMessage();
        if (m.startsWith("{")) {
            try {
                JsonNode n = Json.parse(m);
                if (n.path("message").isTextual()) return n.get("message").asText();
            } catch (RuntimeException ignored) {
                // not JSON after all
            }
        }
        return m;
    }
}
