package dev.tailgate.local.engine;

import java.util.List;

/**
 * What a transcription job produced: the audio's length, the language it was read as (ISO 639-1), and the segments in
 * order with their times in seconds.
 */
public record Transcript(double durationSeconds, String language, List<Segment> segments) {

    public Transcript {
        segments = List.copyOf(segments);
    }

    public record Segment(double start, double end, String text) {}

    /** The whole text: the segments joined, trimmed as the OpenAI API returns it. */
    public String text() {
        StringBuilder b = new StringBuilder();
        for (Segment s : segments) b.append(s.text());
        return b.toString().strip();
    }
}
