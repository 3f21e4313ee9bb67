package dev.tailgate.local.engine.llama;

import java.util.List;
import java.util.function.Consumer;

/**
 * Applies OpenAI {@code stop} strings to streamed text. Text that could still turn out to be the start of a stop
 * string is held back, so a client never sees any part of a stop string, while everything else streams unchanged.
 * Not thread-safe: one per job.
 */
final class StopMatcher {
    private final List<String> stops;
    private final Consumer<String> emit;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops, Consumer<String> emit) {
        this.stops = stops;
        this.emit = emit;
    }

    /** Feeds generated text; returns true once a stop string has matched (nothing after it is emitted). */
    boolean accept(String text) {
        if (stopped || text.isEmpty()) return stopped;
        held.append(text);
        int first = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0) {
            emitPart(held.substring(0, first));
            held.setLength(0);
            stopped = true;
            return true;
        }
        int keep = longestStopPrefixSuffix();
        emitPart(held.substring(0, held.length() - keep));
        held.delete(0, held.length() - keep);
        return false;
    }

    /** Generation ended without a stop string: release what was held back. */
    void flush() {
        if (!stopped) emitPart(held.toString());
        held.setLength(0);
    }

    boolean stopped() {
        return stopped;
    }

    private int longestStopPrefixSuffix() {
        int best = 0;
        String h = held.toString();
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, h.length()); len > best; len--) {
                if (h.regionMatches(h.length() - len, s, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private void emitPart(String s) {
        if (!s.isEmpty()) emit.accept(s);
    }
}
