package dev.tailgate.local.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.wire.Json;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AssistantOutputTest {

    /**
     * What the sink saw: parts in order, adjacent parts of one kind merged (chunking must not matter); progress signals
     * counted apart, and every callback counted.
     */
    static final class Recorder implements AssistantOutput.Sink {
        final List<String> parts = new ArrayList<>();
        int progress;
        int callbacks;

        @Override
        public void text(String text) {
            add("text:", text);
        }

        @Override
        public void reasoning(String text) {
            add("reasoning:", text);
        }

        @Override
        public void toolCall(String name, String arguments) {
            callbacks++;
            parts.add("call:" + name + " " + arguments);
        }

        @Override
        public void progress() {
            callbacks++;
            progress++;
        }

        private void add(String kind, String s) {
            callbacks++;
            assertThat(s).as("no empty parts").isNotEmpty();
            int last = parts.size() - 1;
            if (last >= 0 && parts.get(last).startsWith(kind)) parts.set(last, parts.get(last) + s);
            else parts.add(kind + s);
        }
    }

    /** Also checks that every piece reaches the sink as something: a part or progress (the watchdog hears of it). */
    static List<String> parse(boolean tools, List<String> pieces) {
        Recorder r = new Recorder();
        AssistantOutput out = new AssistantOutput(r, tools);
        for (String p : pieces) {
            int before = r.callbacks;
            out.accept(p);
            assertThat(r.callbacks).as("a callback for piece %s", p).isGreaterThan(before);
        }
        out.finish();
        return r.parts;
    }

    static List<String> whole(boolean tools, String text) {
        return parse(tools, List.of(text));
    }

    @Example
    void textBeforeTwoCallsIsContentAndTheCallsComeOutParsed() {
        String gen = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
        assertThat(whole(true, gen)).containsExactly("text:Let me check.", "call:get_weather {\"city\":\"Oslo\"}",
                "call:get_time {}");
    }

    @Example
    void argumentsGivenAsAJsonStringAreAccepted() {
        assertThat(whole(true, "<tool_call>{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}</tool_call>"))
                .containsExactly("call:f {\"a\":1}");
    }

    @Example
    void anUnclosedCallAtTheEndIsText() {
        assertThat(whole(true, "ok <tool_call>\n{\"name\": \"f\", \"argu")).containsExactly("text:ok<tool_call>\n{\"name\": \"f\", \"argu");
    }

    @Example
    void aCallThatIsNotACallIsText() {
        assertThat(whole(true, "<tool_call>not json</tool_call>")).containsExactly("text:<tool_call>not json</tool_call>");
        assertThat(whole(true, "<tool_call>{\"arguments\":{}}</tool_call>")).containsExactly("text:<tool_call>{\"arguments\":{}}</tool_call>");
    }

    @Example
    void withoutToolsTheMarkupIsPlainText() {
        String gen = "<tool_call>{\"name\":\"f\",\"arguments\":{}}</tool_call>";
        assertThat(whole(false, gen)).containsExactly("text:" + gen);
    }

    @Example
    void thinkingIsReasoningAndTheAnswerFollowsWithoutItsLeadingNewlines() {
        assertThat(whole(false, "<think>\nhmm, 2+2\n</think>\n\nIt is 4.")).containsExactly("reasoning:\nhmm, 2+2\n", "text:It is 4.");
        assertThat(whole(false, "<think>still thinking")).containsExactly("reasoning:still thinking");
    }

    @Example
    void aTagPrefixThatNeverBecomesATagIsText() {
        assertThat(parse(true, List.of("a <tool", "box> b"))).containsExactly("text:a <toolbox> b");
        assertThat(parse(true, List.of("x <tool"))).containsExactly("text:x <tool");
    }

    /**
     * An agent's call can be hundreds of tokens long (a whole-file patch): while it is written each piece is progress,
     * and none of it leaks as text; the call comes out once, whole, when its closing tag arrives.
     */
    @Example
    void everyPieceOfACallBeingWrittenIsProgressAndNoText() {
        StringBuilder patch = new StringBuilder("*** Begin Patch\n*** Add File: notes.txt\n");
        for (int i = 0; i < 60; i++) patch.append("+line ").append(i).append(" of the new file\n");
        patch.append("*** End Patch");
        String input = Json.string(patch.toString()); // a JSON string: quoted, its newlines escaped
        String call = "<tool_call>\n{\"name\": \"apply_patch\", \"arguments\": {\"input\": " + input + "}}\n</tool_call>";
        String gen = "Writing the file.\n" + call;
        Recorder r = new Recorder();
        AssistantOutput out = new AssistantOutput(r, true);
        int at = gen.indexOf("<tool_call>") + 3; // the first piece inside the call ends mid-tag
        out.accept(gen.substring(0, at));
        assertThat(r.parts).containsExactly("text:Writing the file.");
        int insideCall = 0;
        while (at < gen.length()) {
            int end = Math.min(gen.length(), at + 4);
            String piece = gen.substring(at, end);
            at = end;
            int progress = r.progress;
            out.accept(piece);
            if (at < gen.length()) {
                insideCall++;
                assertThat(r.progress).as("progress for piece %s", piece).isEqualTo(progress + 1);
                assertThat(r.parts).as("nothing of the call shows before its end").containsExactly("text:Writing the file.");
            }
        }
        out.finish();
        assertThat(insideCall).isGreaterThan(150);
        assertThat(r.parts).containsExactly("text:Writing the file.", "call:apply_patch {\"input\":" + input + "}");
    }

    /** A call an engine parses itself (llama-server's tool_calls deltas): each of its pieces is progress. */
    @Example
    void aPieceOfAnEngineParsedCallIsProgress() {
        Recorder r = new Recorder();
        AssistantOutput out = new AssistantOutput(r, true);
        out.toolCallPiece();
        out.toolCallPiece();
        out.toolCall("f", "{}");
        assertThat(r.progress).isEqualTo(2);
        assertThat(r.parts).containsExactly("call:f {}");
    }

    @Provide
    Arbitrary<String> generations() {
        return Arbitraries.of(
                "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>\n"
                        + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>",
                "<think>\nplan: call f\n</think>\n\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": [1, \"<tool_call>\"]}}\n</tool_call>\nDone.",
                "plain answer with a < sign and </tool and <thin",
                "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"s\": \"a b\"}}\n</tool_call>   \n\n",
                "text <tool_call>{broken</tool_call> more <tool_call>{\"name\":\"g\",\"arguments\":{}}",
                "<think>only reasoning </thin");
    }

    /** Any split of the generation into pieces gives the same parts as the whole text at once. */
    @Property(tries = 300)
    void chunkingNeverChangesTheResult(@ForAll("generations") String gen, @ForAll boolean tools,
                                       @ForAll List<@IntRange(min = 1, max = 7) Integer> cuts) {
        List<String> pieces = new ArrayList<>();
        int at = 0;
        for (int c : cuts) {
            if (at >= gen.length()) break;
            int end = Math.min(gen.length(), at + c);
            pieces.add(gen.substring(at, end));
            at = end;
        }
        if (at < gen.length()) pieces.add(gen.substring(at));
        List<String> parts = parse(tools, pieces);
        assertThat(parts).isEqualTo(whole(tools, gen));
        if (tools) {
            // never a fragment of markup outside a part that is wholly text of a failed call
            for (String p : parts) {
                if (p.startsWith("text:") && !p.contains("<tool_call>")) assertThat(p).doesNotContain("</tool_call>");
                if (p.startsWith("reasoning:") || p.startsWith("text:")) assertThat(p).doesNotContain("<think>", "</think>");
            }
        }
    }
}
