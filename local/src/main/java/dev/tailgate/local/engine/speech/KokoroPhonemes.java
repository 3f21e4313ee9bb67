package dev.tailgate.local.engine.speech;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text → Kokoro input ids: clauses split at punctuation (kept as Kokoro symbols), each phonemised by espeak-ng in IPA,
 * rewritten into Kokoro's symbol set (misaki's single letters for diphthongs and ties for affricates), looked up in the
 * model's vocabulary, and packed into chunks under the model's 510-id limit at clause (then word) boundaries.
 */
final class KokoroPhonemes {
    /** Kokoro's context is 512 ids including the 0 pad at each end. */
    static final int MAX_IDS = 510;
    /** espeak-ng IPA → Kokoro symbols, longest first. */
    private static final String[][] REWRITES = {
            {"eɪ", "A"}, {"aɪ", "I"}, {"aʊ", "W"}, {"ɔɪ", "Y"}, {"oʊ", "O"}, {"əʊ", "Q"},
            {"d͡ʒ", "ʤ"}, {"t͡ʃ", "ʧ"}, {"dʒ", "ʤ"}, {"tʃ", "ʧ"}, {"ɚ", "əɹ"}, {"ɝ", "ɜɹ"},
            {"͡", ""}, {"r", "ɹ"}, {"ɐ", "ə"}, {"ɫ", "l"}, {"ɬ", "l"}, {"x", "k"}, {"ç", "k"}, {"ʲ", ""}, {"g", "ɡ"}};

    /** One piece to synthesise: its ids (without the end pads) and whether a sentence ends with it. */
    record Chunk(long[] ids, boolean sentenceEnd) {}

    private final EspeakNative espeak;
    private final Map<String, Integer> vocab;
    private final String language;

    KokoroPhonemes(EspeakNative espeak, Map<String, Integer> vocab, String language) {
        this.espeak = espeak;
        this.vocab = vocab;
        this.language = language;
    }

    static String toKokoro(String ipa) {
        String s = ipa;
        for (String[] r : REWRITES) s = s.replace(r[0], r[1]);
        return s;
    }

    List<Chunk> chunks(String text) throws dev.tailgate.local.engine.EngineException {
        List<Chunk> out = new ArrayList<>();
        List<Long> current = new ArrayList<>();
        for (Clause c : Clause.split(text)) {
            List<Long> clause = ids(toKokoro(espeak.phonemes(c.words(), language)) + c.punctuation());
            boolean sentenceEnd = c.sentenceEnd();
            if (!current.isEmpty() && current.size() + 1 + clause.size() > MAX_IDS) {
                out.add(new Chunk(toArray(current), false));
                current.clear();
            }
            while (clause.size() > MAX_IDS) { // one clause too long for the model: cut at the last space that fits
                int cut = lastSpace(clause, MAX_IDS);
                out.add(new Chunk(toArray(clause.subList(0, cut)), false));
                clause = new ArrayList<>(clause.subList(cut, clause.size()));
            }
            if (!current.isEmpty()) current.add(vocab.getOrDefault(" ", 0).longValue());
            current.addAll(clause);
            if (sentenceEnd) {
                out.add(new Chunk(toArray(current), true));
                current.clear();
            }
        }
        if (!current.isEmpty()) out.add(new Chunk(toArray(current), true));
        return out;
    }

    private List<Long> ids(String symbols) {
        List<Long> ids = new ArrayList<>();
        symbols.codePoints().forEach(cp -> {
            Integer id = vocab.get(Character.toString(cp));
            if (id != null && id != 0) ids.add(id.longValue()); // symbols the model does not know are dropped
        });
        return ids;
    }

    private int lastSpace(List<Long> ids, int limit) {
        Integer space = vocab.get(" ");
        for (int i = limit - 1; i > 0; i--) if (space != null && ids.get(i) == space.longValue()) return i;
        return limit;
    }

    private static long[] toArray(List<Long> ids) {
        long[] a = new long[ids.size()];
        for (int i = 0; i < a.length; i++) a[i] = ids.get(i);
        return a;
    }
}
