package dev.tailgate.local.engine.whisper;

import dev.tailgate.local.engine.Transcript;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges whisper's text tokens (special and timestamp tokens are the caller's to leave out) into words, as whisper.cpp's
 * own {@code split_on_word} does: a token that begins with a space starts a new word, any other continues the current
 * one (" Hel" + "lo" + "," is one word, "Hello,"), and no word spans two segments. Tokens are joined as bytes and
 * decoded per word, since a token may carry only part of a UTF-8 character.
 *
 * <p>A word starts at its first token's start and ends at its last token's end. whisper.cpp's token timings are a
 * heuristic (timestamp-token probabilities and signal energy), so they are kept consistent here: within the word's
 * segment, ordered (a word never starts before the previous one ends), and within the audio (whisper pads the last
 * window to 30 s and may time a token, or a segment, in the padding).
 */
final class WordAssembler {
    private final double audioSeconds;
    private final List<Transcript.Word> words = new ArrayList<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private double segmentStart;
    private double segmentEnd;
    private double start;
    private double end;

    WordAssembler(double audioSeconds) {
        this.audioSeconds = audioSeconds;
    }

    /** Starts a segment; its times, as all here, in seconds from the start of the audio. */
    void segment(double from, double to) {
        finishWord();
        segmentStart = from;
        segmentEnd = to;
    }

    /** The next text token of the current segment. */
    void token(byte[] text, double from, double to) {
        if (text.length > 0 && text[0] == ' ') finishWord();
        if (current.size() == 0) start = from;
        current.writeBytes(text);
        end = to;
    }

    List<Transcript.Word> words() {
        finishWord();
        return List.copyOf(words);
    }

    private void finishWord() {
        String word = current.toString(StandardCharsets.UTF_8).strip();
        current.reset();
        if (word.isEmpty()) return;
        double previousEnd = words.isEmpty() ? 0 : words.getLast().end();
        double from = Math.min(Math.max(Math.max(start, segmentStart), previousEnd), audioSeconds);
        double to = Math.max(from, Math.min(end, Math.min(segmentEnd, audioSeconds)));
        words.add(new Transcript.Word(from, to, word));
    }
}
