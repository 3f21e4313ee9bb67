package dev.tailgate.local.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.Transcript;
import dev.tailgate.wire.Json;
import java.util.Locale;

/** The OpenAI transcription {@code response_format}s, rendered from one {@link Transcript}. */
enum TranscriptFormats {
    JSON("json", "application/json"),
    TEXT("text", "text/plain; charset=utf-8"),
    SRT("srt", "application/x-subrip; charset=utf-8"),
    VTT("vtt", "text/vtt; charset=utf-8"),
    VERBOSE_JSON("verbose_json", "application/json");

    final String wireName;
    final String contentType;

    TranscriptFormats(String wireName, String contentType) {
        this.wireName = wireName;
        this.contentType = contentType;
    }

    /** Which timings verbose_json carries: {@code segments[]}, {@code words[]}, or both. */
    record Timestamps(boolean segments, boolean words) {}

    static TranscriptFormats fromWire(String name) {
        for (TranscriptFormats f : values()) if (f.wireName.equals(name)) return f;
        return null;
    }

    /** The body for this format; {@code task} ("transcribe" or "translate") and {@code timestamps}: verbose_json only. */
    String render(Transcript t, String task, Timestamps timestamps) {
        return switch (this) {
            case JSON -> {
                ObjectNode o = Json.object();
                o.put("text", t.text());
                o.set("usage", usage(t));
                yield Json.string(o);
            }
            case TEXT -> t.text() + "\n";
            case SRT -> cues(t, ',', false);
            case VTT -> "WEBVTT\n\n" + cues(t, '.', true);
            case VERBOSE_JSON -> Json.string(verbose(t, task, timestamps));
        };
    }

    /** Billing as the OpenAI API does for whisper: by the audio's duration, in whole seconds rounded up. */
    static ObjectNode usage(Transcript t) {
        ObjectNode u = Json.object();
        u.put("type", "duration");
        u.put("seconds", (long) Math.ceil(t.durationSeconds()));
        return u;
    }

    private static ObjectNode verbose(Transcript t, String task, Timestamps timestamps) {
        ObjectNode o = Json.object();
        o.put("task", task);
        o.put("language", t.language());
        o.put("duration", t.durationSeconds());
        o.put("text", t.text());
        if (timestamps.words()) {
            ArrayNode words = o.putArray("words");
            for (Transcript.Word w : t.words()) words.addObject().put("word", w.word()).put("start", w.start()).put("end", w.end());
        }
        if (timestamps.segments()) {
            ArrayNode segments = o.putArray("segments");
            int id = 0;
            for (Transcript.Segment s : t.segments()) {
                ObjectNode e = segments.addObject();
                e.put("id", id++);
                e.put("seek", 0);
                e.put("start", s.start());
                e.put("end", s.end());
                e.put("text", s.text());
                e.putArray("tokens");
            }
        }
        o.set("usage", usage(t));
        return o;
    }

    private static String cues(Transcript t, char millisSeparator, boolean vtt) {
        StringBuilder b = new StringBuilder();
        int n = 1;
        for (Transcript.Segment s : t.segments()) {
            if (!vtt) b.append(n++).append('\n');
            b.append(time(s.start(), millisSeparator)).append(" --> ").append(time(s.end(), millisSeparator)).append('\n');
            b.append(s.text().strip()).append("\n\n");
        }
        return b.toString();
    }

    /** HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (WebVTT). */
    static String time(double seconds, char millisSeparator) {
        long ms = Math.round(seconds * 1000);
        return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60,
                millisSeparator, ms % 1000);
    }
}
