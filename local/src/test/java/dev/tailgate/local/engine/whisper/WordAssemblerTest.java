package dev.tailgate.local.engine.whisper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.engine.Transcript.Word;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WordAssemblerTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void tokensMergeIntoWordsAtLeadingSpaces() {
        WordAssembler a = new WordAssembler(10);
        a.segment(0, 1.0);
        a.token(b(" Hel"), 0.0, 0.2);
        a.token(b("lo"), 0.2, 0.4);
        a.token(b(","), 0.4, 0.5);
        a.token(b(" world"), 0.6, 1.0);
        assertThat(a.words()).containsExactly(new Word(0.0, 0.5, "Hello,"), new Word(0.6, 1.0, "world"));
    }

    @Test
    void textWrittenWithoutSpacesIsOneWordPerSegment() {
        WordAssembler a = new WordAssembler(10);
        a.segment(0, 1.0);
        a.token(b("今日"), 0.0, 0.4);
        a.token(b("は"), 0.4, 0.6);
        a.token(b("。"), 0.6, 0.7);
        a.segment(1.0, 2.0);
        a.token(b("晴れ"), 1.0, 1.5);
        assertThat(a.words()).containsExactly(new Word(0.0, 0.7, "今日は。"), new Word(1.0, 1.5, "晴れ"));
    }

    @Test
    void aCharacterSplitAcrossTokensIsWholeInItsWord() {
        byte[] e = b("é"); // two bytes, as whisper's byte-level tokens may split it
        WordAssembler a = new WordAssembler(10);
        a.segment(1.0, 2.0);
        a.token(b(" caf"), 1.0, 1.2);
        a.token(Arrays.copyOfRange(e, 0, 1), 1.2, 1.3);
        a.token(Arrays.copyOfRange(e, 1, 2), 1.3, 1.4);
        assertThat(a.words()).containsExactly(new Word(1.0, 1.4, "café"));
    }

    @Test
    void noWordSpansSegmentsAndBlankTokensMakeNoWord() {
        WordAssembler a = new WordAssembler(10);
        a.segment(0, 0.3);
        a.token(b(" to"), 0.0, 0.3);
        a.segment(0.3, 0.7);
        a.token(b("day"), 0.3, 0.6); // a segment may begin without a space
        a.token(b(" "), 0.6, 0.7);
        assertThat(a.words()).containsExactly(new Word(0.0, 0.3, "to"), new Word(0.3, 0.6, "day"));
    }

    @Test
    void timesStayOrderedWithinTheirSegmentAndWithinTheAudio() {
        WordAssembler a = new WordAssembler(2.0);
        a.segment(0.6, 1.5);
        a.token(b(" one"), 0.0, 1.2); // starts before its segment
        a.token(b(" two"), 1.0, 0.9); // starts before the previous word ends, ends before it starts
        a.token(b(" three"), 1.3, 1.9); // ends after its segment
        a.segment(1.5, 30.0); // whisper pads the last window to 30 s
        a.token(b(" four"), 1.6, 2.8);
        a.token(b(" five"), 2.9, 3.0);
        assertThat(a.words()).containsExactly(new Word(0.6, 1.2, "one"), new Word(1.2, 1.2, "two"),
                new Word(1.3, 1.5, "three"), new Word(1.6, 2.0, "four"), new Word(2.0, 2.0, "five"));
    }
}
