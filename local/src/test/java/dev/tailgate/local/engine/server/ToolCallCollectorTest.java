package dev.tailgate.local.engine.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tailgate.local.engine.RecordingListener;
import dev.tailgate.local.engine.llama.AssistantOutput;
import dev.tailgate.wire.Json;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** llama-server's streamed tool_calls deltas: a call is handed on whole, and each delta before that is progress. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ToolCallCollectorTest {

    @Test
    void eachDeltaOfACallBeingStreamedIsProgressAndTheCallComesOutWholeOnce() {
        RecordingListener listener = new RecordingListener();
        ToolCallCollector calls = new ToolCallCollector(new AssistantOutput(new ListenerSink(listener), true), true);
        calls.accept((ArrayNode) Json.parse("""
                [{"index":0,"id":"srv_1","type":"function","function":{"name":"apply_patch","arguments":""}}]"""));
        List<String> fragments = List.of("{\"in", "put\": \"", "*** Begin Patch\\n", "+one line\\n", "*** End Patch", "\"}");
        for (String fragment : fragments) {
            ArrayNode delta = Json.MAPPER.createArrayNode();
            delta.addObject().put("index", 0).putObject("function").put("arguments", fragment);
            calls.accept(delta);
            assertThat(listener.toolCalls).as("nothing handed on before the call is whole").isEmpty();
        }
        assertThat(listener.progress.get()).isEqualTo(1 + fragments.size());

        calls.flush();
        assertThat(listener.toolCalls).hasSize(1);
        assertThat(listener.toolCalls.getFirst().name()).isEqualTo("apply_patch");
        assertThat(listener.toolCalls.getFirst().arguments()).isEqualTo(String.join("", fragments));
        assertThat(listener.progressBeforeFirstCall).isEqualTo(1 + fragments.size());
        assertThat(listener.deltas).isEmpty();
    }
}
