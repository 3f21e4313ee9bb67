package dev.tailgate.testing.gguf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The smallest vocabulary a llama.cpp "gpt2" (byte-level BPE) tokenizer accepts: the 256 byte tokens in GPT-2's
 * byte-to-unicode spelling (so any UTF-8 text can be encoded), a handful of merges with their merged tokens, and the
 * ChatML special tokens Qwen uses.
 */
public final class ByteLevelVocab {
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";

    static final int TYPE_NORMAL = 1;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_USER_DEFINED = 4;

    private static final String[][] MERGES = {
        {"Ġ", "t"}, {"Ġ", "a"}, {"h", "e"}, {"i", "n"}, {"r", "e"}, {"o", "n"}, {"Ġt", "he"}, {"e", "r"}
    };

    private final List<String> tokens = new ArrayList<>();
    private final List<Integer> types = new ArrayList<>();
    private final List<String> merges = new ArrayList<>();

    public ByteLevelVocab() {
        this(List.of());
    }

    /**
     * The base vocabulary plus {@code pieces} as extra normal tokens (given as plain text, stored in byte-level
     * spelling). No merge produces them, so the tokenizer never uses them for input; a model can still emit them.
     */
    public ByteLevelVocab(List<String> pieces) {
        this(pieces, List.of());
    }

    /**
     * As {@link #ByteLevelVocab(List)}, plus {@code markers} as user-defined tokens, stored as plain text: llama.cpp
     * cuts them out of any input text before byte-level BPE, so each occurrence in a prompt is exactly one token.
     */
    public ByteLevelVocab(List<String> pieces, List<String> markers) {
        for (int cp : byteToUnicode()) add(new String(Character.toChars(cp)), TYPE_NORMAL);
        for (String[] m : MERGES) {
            merges.add(m[0] + " " + m[1]);
            add(m[0] + m[1], TYPE_NORMAL);
        }
        add(END_OF_TEXT, TYPE_CONTROL);
        add(IM_START, TYPE_CONTROL);
        add(IM_END, TYPE_CONTROL);
        for (String piece : pieces) {
            String spelled = spell(piece);
            if (tokens.contains(spelled)) throw new IllegalArgumentException("piece already in the vocabulary: " + piece);
            add(spelled, TYPE_NORMAL);
        }
        for (String marker : markers) {
            if (tokens.contains(marker)) throw new IllegalArgumentException("marker already in the vocabulary: " + marker);
            add(marker, TYPE_USER_DEFINED);
        }
    }

    /** {@code text}'s UTF-8 bytes in GPT-2's byte-to-unicode spelling: how a byte-level vocabulary stores it. */
    public static String spell(String text) {
        // byteToUnicode() is in GPT-2's order; the code point of a byte value is where that order puts it
        int[] ordered = byteToUnicode();
        int[] byValue = new int[256];
        for (int cp : ordered) byValue[cp < 256 ? cp : byteOf(cp)] = cp;
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) sb.appendCodePoint(byValue[b & 0xFF]);
        return sb.toString();
    }

    /** The byte a code point ≥ 256 of the GPT-2 map stands for (the n-th unprintable byte maps to 256 + n). */
    private static int byteOf(int cp) {
        int n = cp - 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            if (!printable && n-- == 0) return b;
        }
        throw new IllegalArgumentException("not in the GPT-2 byte map: " + cp);
    }

    private void add(String token, int type) {
        tokens.add(token);
        types.add(type);
    }

    /** GPT-2's reversible byte → printable code point map, in GPT-2's order (printable bytes first). */
    static int[] byteToUnicode() {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) bs.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add(256 + n++);
            }
        }
        return cs.stream().mapToInt(Integer::intValue).toArray();
    }

    public List<String> tokens() { return Collections.unmodifiableList(tokens); }
    public int[] tokenTypes() { return types.stream().mapToInt(Integer::intValue).toArray(); }
    public List<String> merges() { return Collections.unmodifiableList(merges); }
    public int size() { return tokens.size(); }
    public int id(String token) { return tokens.indexOf(token); }
    public boolean contains(String token) { return tokens.contains(token); }
    public boolean isSpecial(int id) { return types.get(id) == TYPE_CONTROL; }
}
