package dev.tailgate.wire.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SseReaderTest {

    private static List<SseEvent> parse(byte[]... chunks) {
        List<SseEvent> out = new ArrayList<>();
        SseReader r = new SseReader(out::add);
        for (byte[] c : chunks) r.feed(c);
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n"})
    void everyLineEndingSeparatesEvents(String eol) {
        String text = ": keep-alive" + eol
                + "event: delta" + eol + "id: 7" + eol + "data: {\"a\":1}" + eol + eol
                + "data:first" + eol + "data: second" + eol + eol
                + "data: [DONE]" + eol + eol;
        List<SseEvent> events = parse(utf8(text));
        assertThat(events).containsExactly(
                new SseEvent("delta", "{\"a\":1}", "7"),
                new SseEvent(null, "first\nsecond", null),
                new SseEvent(null, "[DONE]", null));
        assertThat(events.get(2).isDone()).isTrue();
        assertThat(events.get(0).isDone()).isFalse();
    }

    @Test
    void crlfSplitAcrossChunksIsOneLineEnd() {
        List<SseEvent> events = parse(utf8("data: a\r"), utf8("\n\r"), utf8("\ndata: b\r\n\r\n"));
        assertThat(events).extracting(SseEvent::data).containsExactly("a", "b");
    }

    @Test
    void multiByteCharacterSplitAcrossChunksSurvives() {
        byte[] all = utf8("data: h\u00e9llo \u4e16\u754c \uD83D\uDE00\n\n");
        List<SseEvent> out = new ArrayList<>();
        SseReader r = new SseReader(out::add);
        for (byte b : all) r.feed(new byte[] {b});
        assertThat(out).extracting(SseEvent::data).containsExactly("h\u00e9llo \u4e16\u754c \uD83D\uDE00");
    }

    @Test
    void commentsAndDatalessEventsAreNotDispatched() {
        assertThat(parse(utf8(":ping\n\nevent: x\n\nretry: 10\n\n"))).isEmpty();
    }

    @Test
    void onlyOneLeadingSpaceIsStrippedAndFieldWithoutColonIsEmpty() {
        List<SseEvent> events = parse(utf8("data:  two spaces\n\ndata\n\n"));
        assertThat(events).extracting(SseEvent::data).containsExactly(" two spaces", "");
    }

    @Test
    void unterminatedLastEventIsReportedAsPartial() {
        List<SseEvent> out = new ArrayList<>();
        SseReader r = new SseReader(out::add);
        r.feed(utf8("data: complete\n\ndata: cut"));
        assertThat(out).hasSize(1);
        assertThat(r.finish()).isTrue();
        assertThat(out).hasSize(1);
    }

    @Test
    void overlongLineFailsInsteadOfGrowing() {
        SseReader r = new SseReader(e -> {}, 16);
        assertThatThrownBy(() -> r.feed(utf8("data: 0123456789abcdef"))).isInstanceOf(SseReader.SseException.class);
    }

    @Test
    void writerOutputReadsBackIncludingNewlinesInData() {
        SseEvent e = new SseEvent("error", "line1\nline2\r\nline3", "id-1");
        assertThat(parse(SseWriter.encode(e).getBytes())).containsExactly(new SseEvent("error", "line1\nline2\nline3", "id-1"));
        assertThat(parse(SseWriter.error(utf8("{\"error\":{}}")).getBytes()))
                .containsExactly(new SseEvent("error", "{\"error\":{}}", null));
        assertThat(parse(SseWriter.done().getBytes()).getFirst().isDone()).isTrue();
    }

    // --- property: any event list, any line ending, split at any points, parses to the same events -------------

    record Case(List<SseEvent> events, String eol, List<Integer> cuts) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<String> text = Arbitraries.strings().withChars("ab {}\":,\u00e9\u4e16").ofMaxLength(12);
        Arbitrary<String> data = text.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("\n", l));
        Arbitrary<String> name = Arbitraries.strings().withChars("abcxyz").ofMinLength(1).ofMaxLength(6).injectNull(0.5);
        Arbitrary<SseEvent> event = Combinators.combine(name, data, name).as(SseEvent::new);
        return Combinators.combine(event.list().ofMaxSize(6), Arbitraries.of("\n", "\r", "\r\n"),
                Arbitraries.integers().between(0, 400).list().ofMaxSize(12)).as(Case::new);
    }

    @Property(tries = 300)
    void chunkBoundariesAnywhereNeverChangeTheEvents(@ForAll("cases") Case c) {
        StringBuilder sb = new StringBuilder();
        for (SseEvent e : c.events()) {
            sb.append(": comment").append(c.eol());
            if (e.id() != null) sb.append("id: ").append(e.id()).append(c.eol());
            if (e.event() != null) sb.append("event:").append(e.event()).append(c.eol());
            for (String line : e.data().split("\n", -1)) sb.append("data: ").append(line).append(c.eol());
            sb.append(c.eol());
        }
        byte[] bytes = utf8(sb.toString());
        List<Integer> cuts = c.cuts().stream().map(i -> Math.min(i, bytes.length)).sorted().toList();
        List<SseEvent> out = new ArrayList<>();
        SseReader r = new SseReader(out::add);
        int at = 0;
        for (int cut : cuts) {
            r.feed(bytes, at, cut - at);
            at = cut;
        }
        r.feed(bytes, at, bytes.length - at);
        assertThat(out).isEqualTo(c.events());
        assertThat(r.finish()).isFalse();
    }
}
