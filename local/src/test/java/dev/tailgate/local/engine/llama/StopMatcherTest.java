package dev.tailgate.local.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StopMatcherTest {
    final List<String> out = new ArrayList<>();

    @Test
    void stopSplitAcrossPiecesIsNeverEmitted() {
        StopMatcher m = new StopMatcher(List.of("END"), out::add);
        assertThat(m.accept("abcE")).isFalse();
        assertThat(m.accept("N")).isFalse();
        assertThat(m.accept("Dxyz")).isTrue();
        m.flush();
        assertThat(String.join("", out)).isEqualTo("abc");
        assertThat(m.accept("more")).isTrue();
        assertThat(String.join("", out)).isEqualTo("abc");
    }

    @Test
    void heldBackTextIsReleasedWhenItIsNotAStop() {
        StopMatcher m = new StopMatcher(List.of("END"), out::add);
        m.accept("aE");
        assertThat(out).containsExactly("a");
        m.accept("x");
        assertThat(String.join("", out)).isEqualTo("aEx");
    }

    @Test
    void flushReleasesAPartialStopAtTheEnd() {
        StopMatcher m = new StopMatcher(List.of("END"), out::add);
        m.accept("abEN");
        m.flush();
        assertThat(String.join("", out)).isEqualTo("abEN");
        assertThat(m.stopped()).isFalse();
    }

    @Test
    void earliestOfSeveralStopsWins() {
        StopMatcher m = new StopMatcher(List.of("zz", "b"), out::add);
        assertThat(m.accept("aazzb")).isTrue();
        assertThat(String.join("", out)).isEqualTo("aa");
    }

    @Test
    void withoutStopsEverythingStreamsAsIs() {
        StopMatcher m = new StopMatcher(List.of(), out::add);
        m.accept("one ");
        m.accept("two");
        assertThat(out).containsExactly("one ", "two");
    }
}
