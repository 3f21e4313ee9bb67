package dev.tailgate.local.engine.speech;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One clause of text to phonemise: its words and the punctuation after them. espeak-ng reads one clause per call and
 * drops its punctuation, so the phonemisers split text here and put the punctuation back as symbols of their own.
 */
record Clause(String words, String punctuation) {
    private static final Pattern CLAUSE = Pattern.compile("([^.,;:!?—…]+)([.,;:!?—…]*)");

    /** Whether a sentence ends with this clause. */
    boolean sentenceEnd() {
        return punctuation.matches(".*[.!?…].*");
    }

    /** The clauses of {@code text}, in order, whitespace collapsed; punctuation with no words before it is dropped. */
    static List<Clause> split(String text) {
        List<Clause> out = new ArrayList<>();
        Matcher m = CLAUSE.matcher(text.replaceAll("\\s+", " "));
        while (m.find()) {
            String words = m.group(1).strip();
            if (!words.isEmpty()) out.add(new Clause(words, m.group(2)));
        }
        return out;
    }
}
