package dev.tailgate.gateway.responses;

import static dev.tailgate.gateway.responses.BridgeFixtures.context;
import static dev.tailgate.gateway.responses.BridgeFixtures.finish;
import static dev.tailgate.gateway.responses.BridgeFixtures.text;
import static dev.tailgate.gateway.responses.BridgeFixtures.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** However an upstream splits text and arguments into chunks, the client gets the same items back. */
class StreamSplittingProperties {

    @Property(tries = 200)
    void splittingNeverLosesOrReordersContent(@ForAll("texts") String answer, @ForAll("texts") String argValue,
                                              @ForAll("cuts") List<Integer> cuts) {
        String arguments = "{\"cmd\":" + dev.tailgate.wire.Json.string(argValue) + "}";
        List<ResponsesEvent> events = new ArrayList<>();
        ResponsesStreamBridge bridge = new ResponsesStreamBridge(
                context("{'model':'m','input':'x','stream':true,'tools':[{'type':'function','name':'exec_command'}]}"), events::add);
        for (String piece : split(answer, cuts)) bridge.onChunk(text(piece));
        bridge.onChunk(tool(0, "call_1", "exec_command", ""));
        for (String piece : split(arguments, cuts)) bridge.onChunk(tool(0, null, null, piece));
        bridge.onChunk(finish("tool_calls"));
        bridge.onEnd();

        JsonNode output = events.getLast().data().path("response").path("output");
        int next = 0;
        if (!answer.isEmpty()) {
            assertEquals(answer, output.get(next++).path("content").get(0).path("text").asText());
        }
        assertEquals(arguments, output.get(next).path("arguments").asText());
        StringBuilder streamed = new StringBuilder();
        for (ResponsesEvent e : events) {
            if (e.type().equals("response.function_call_arguments.delta")) streamed.append(e.data().get("delta").asText());
        }
        assertEquals(arguments, streamed.toString(), "the deltas add up to the arguments");
        for (int i = 0; i < events.size(); i++) assertEquals(i, events.get(i).sequenceNumber());
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars('\n', 'é', '\u4e2d', '"', '\\').ofMaxLength(40);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 40).list().ofMaxSize(8);
    }

    private static List<String> split(String s, List<Integer> cuts) {
        List<Integer> points = cuts.stream().filter(c -> c <= s.length()).sorted().distinct().toList();
        List<String> pieces = new ArrayList<>();
        int from = 0;
        for (int p : points) {
            pieces.add(s.substring(from, p)); // empty pieces too: they must not break anything
            from = p;
        }
        pieces.add(s.substring(from));
        return pieces;
    }
}
