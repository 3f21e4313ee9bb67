package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFactory;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RunningJob;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An engine factory that records every chat request qwen-local's engines get, then lets the real engine run it: how
 * the agent-CLI tests see what reached the model (tools offered, the tool result in the follow-up).
 */
final class RecordingEngines implements EngineFactory {
    private final EngineFactory real;
    final List<ObjectNode> chats = new CopyOnWriteArrayList<>();

    RecordingEngines(EngineFactory real) {
        this.real = real;
    }

    @Override
    public LoadedModel load(ModelSpec spec) throws EngineException {
        LoadedModel model = real.load(spec);
        return new LoadedModel() {
            @Override
            public RunningJob submit(EngineRequest request, JobListener listener) {
                if (request instanceof EngineRequest.Chat chat) chats.add(chat.body().deepCopy());
                return model.submit(request, listener);
            }

            @Override public long memoryBytes() { return model.memoryBytes(); }
            @Override public boolean alive() { return model.alive(); }
            @Override public String deathReason() { return model.deathReason(); }
            @Override public void close() { model.close(); }
        };
    }

    @Override
    public long estimateMemoryBytes(ModelSpec spec) {
        return real.estimateMemoryBytes(spec);
    }

    /** The first recorded chat whose last message is a {@code role: tool} result, if one arrived. */
    Optional<ObjectNode> followUp() {
        for (ObjectNode chat : chats) {
            JsonNode messages = chat.path("messages");
            if (!messages.isEmpty() && "tool".equals(messages.get(messages.size() - 1).path("role").asText())) return Optional.of(chat);
        }
        return Optional.empty();
    }
}
