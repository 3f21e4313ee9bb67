package dev.tailgate.local.engine.server;

import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.llama.AssistantOutput;
import java.util.UUID;

/** The parts of an answer, as parsed, to a job's listener; call ids are made here, as OpenAI's are server-made. */
record ListenerSink(JobListener listener) implements AssistantOutput.Sink {
    @Override
    public void text(String text) {
        listener.onDelta(text);
    }

    @Override
    public void reasoning(String text) {
        listener.onReasoning(text);
    }

    @Override
    public void toolCall(String name, String arguments) {
        listener.onToolCall(new JobListener.ToolCall("call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24),
                name, arguments));
    }

    @Override
    public void progress() {
        listener.onProgress();
    }
}
