package dev.tailgate.local.engine;

import java.util.List;

/**
 * What a transcription job produced: the audio's length, the language it was read as (ISO 639-1), the segments in
 * order with their times in seconds, and — when the request asked for word timestamps — the words in order with
 * theirs (empty otherwise).
 */
public record Transcript(double durationSeconds, String language, List<Segment> segments, List<Word> words) {

    public Transcript {
        segments = List.copyOf(segments);
        words = List.copyOf(words);
    }

    public record Segment(double start, double end, String text) {}

    /** One word, without surrounding spaces, as the OpenAI API's {@code words[]} entry. */
    public record Word(double start, double end, String word) {}

    /** The whole text: the segments joined, trimmed as the OpenAI API returns it. */
    public String text() {
        StringBuilder b = new StringBuilder();
        for (Segment s : segments) b.append(s.text());
        return b.toString().strip();
    }
}
