package dev.tailgate.local.engine.llama;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;

/**
 * Splits a Qwen-style generation, piece by piece as it streams, into answer text, reasoning
 * ({@code <think>…</think>}) and tool calls ({@code <tool_call>{"name":…,"arguments":…}</tool_call>}).
 *
 * <p>Nothing of the markup ever reaches the sink while it may still turn out to be a tag: a piece ending in
 * {@code "<tool"} is held back until the next piece decides. A call is reported once its closing tag arrives and its
 * body is a JSON object with a string {@code name} and an object (or string) {@code arguments}; a body that is not is
 * text, and so is a call still open when the generation ends — never an error. Whitespace around and between calls is
 * layout, not content.
 *
 * <p>Every accepted piece reaches the sink as something: a part, or — when it is all held back, above all while a call
 * is being written — {@link Sink#progress()}. A call can be hundreds of tokens long (an agent's whole-file patch), and
 * a model writing one is working, not stuck: the scheduler's watchdog must hear of it before the call is complete.
 */
public final class AssistantOutput {
    public static final String CALL_OPEN = "<tool_call>";
    public static final String CALL_CLOSE = "</tool_call>";
    static final String THINK_OPEN = "<think>";
    static final String THINK_CLOSE = "</think>";

    /** Where the parts go, in generation order. */
    public interface Sink {
        void text(String text);

        void reasoning(String text);

        /** {@code arguments} is the arguments object as JSON text. */
        void toolCall(String name, String arguments);

        /** A piece arrived and is held back (a call being written, a possible tag): progress, nothing to show yet. */
        void progress();
    }

    private enum State { TEXT, THINK, CALL }

    private final Sink sink;
    private final boolean tools;
    private final StringBuilder pending = new StringBuilder();
    private State state = State.TEXT;
    private int calls;
    private boolean afterThink;
    private long parts; // handed to the sink so far: a piece that adds none is progress

    /** @param tools whether {@code <tool_call>} is markup (tools were offered) or plain text */
    public AssistantOutput(Sink sink, boolean tools) {
        this.sink = sink;
        this.tools = tools;
    }

    /** Number of complete, valid calls reported so far. */
    public int calls() {
        return calls;
    }

    public void accept(String piece) {
        long before = parts;
        pending.append(piece);
        drain();
        if (parts == before) sink.progress();
    }

    /** The generation ended: whatever is held back is released (an open call as text). */
    public void finish() {
        switch (state) {
            case TEXT -> {
                if (!layoutOnly()) text(pending.toString());
            }
            case THINK -> {
                if (!pending.isEmpty()) reasoning(pending.toString());
            }
            case CALL -> text(CALL_OPEN + pending);
        }
        pending.setLength(0);
        state = State.TEXT;
    }

    /**
     * A call that an engine parsed itself (llama-server does) arrives between pieces of text: whitespace held back
     * before it is layout, like before a {@code <tool_call>} block.
     */
    public void toolCall(String name, String arguments) {
        if (state == State.TEXT && pending.toString().isBlank()) pending.setLength(0);
        else finish();
        calls++;
        call(name, arguments);
    }

    /**
     * A piece of a call that an engine parses itself (llama-server's {@code tool_calls} deltas) arrived: the call is
     * reported once complete ({@link #toolCall}), the piece is progress.
     */
    public void toolCallPiece() {
        sink.progress();
    }

    private void drain() {
        while (true) {
            switch (state) {
                case TEXT -> {
                    if (afterThink) {
                        stripLeadingWhitespace();
                        if (pending.isEmpty()) return;
                        afterThink = false;
                    }
                    int think = pending.indexOf(THINK_OPEN);
                    int call = tools ? pending.indexOf(CALL_OPEN) : -1;
                    int tag = first(think, call);
                    if (tag < 0) {
                        int keep = heldBack(pending, tools ? new String[] {THINK_OPEN, CALL_OPEN} : new String[] {THINK_OPEN});
                        int end = pending.length() - keep;
                        // with tools, trailing whitespace may be layout before a call: wait for what follows it
                        if (tools) while (end > 0 && Character.isWhitespace(pending.charAt(end - 1))) end--;
                        if (end > 0) {
                            text(pending.substring(0, end));
                            pending.delete(0, end);
                        }
                        return;
                    }
                    String before = pending.substring(0, tag);
                    if (!before.isBlank()) text(tools ? before.stripTrailing() : before);
                    if (tag == call) {
                        pending.delete(0, tag + CALL_OPEN.length());
                        state = State.CALL;
                    } else {
                        pending.delete(0, tag + THINK_OPEN.length());
                        state = State.THINK;
                    }
                }
                case THINK -> {
                    int end = pending.indexOf(THINK_CLOSE);
                    if (end < 0) {
                        int keep = heldBack(pending, new String[] {THINK_CLOSE});
                        if (pending.length() > keep) {
                            reasoning(pending.substring(0, pending.length() - keep));
                            pending.delete(0, pending.length() - keep);
                        }
                        return;
                    }
                    if (end > 0) reasoning(pending.substring(0, end));
                    pending.delete(0, end + THINK_CLOSE.length());
                    state = State.TEXT;
                    afterThink = true;
                }
                case CALL -> {
                    int end = pending.indexOf(CALL_CLOSE);
                    if (end < 0) return; // a call is reported whole: wait for its end (accept() signals progress)
                    String body = pending.substring(0, end);
                    pending.delete(0, end + CALL_CLOSE.length());
                    state = State.TEXT;
                    if (!report(body)) text(CALL_OPEN + body + CALL_CLOSE);
                }
            }
        }
    }

    private boolean report(String body) {
        JsonNode call;
        try {
            call = Json.parse(body.strip());
        } catch (RuntimeException notJson) {
            return false;
        }
        if (call == null || !call.isObject() || !call.path("name").isTextual() || call.get("name").asText().isEmpty()) {
            return false;
        }
        JsonNode args = call.get("arguments");
        String arguments;
        if (args == null || args.isNull()) arguments = "{}";
        else if (args.isObject()) arguments = Json.string(args);
        else if (args.isTextual() && isJsonObject(args.asText())) arguments = args.asText();
        else return false;
        calls++;
        call(call.get("name").asText(), arguments);
        return true;
    }

    private void text(String text) {
        parts++;
        sink.text(text);
    }

    private void reasoning(String text) {
        parts++;
        sink.reasoning(text);
    }

    private void call(String name, String arguments) {
        parts++;
        sink.toolCall(name, arguments);
    }

    private static boolean isJsonObject(String s) {
        try {
            JsonNode n = Json.parse(s);
            return n != null && n.isObject();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean layoutOnly() {
        return pending.isEmpty() || (calls > 0 && pending.toString().isBlank());
    }

    private void stripLeadingWhitespace() {
        int i = 0;
        while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) i++;
        pending.delete(0, i);
    }

    private static int first(int a, int b) {
        if (a < 0) return b;
        if (b < 0) return a;
        return Math.min(a, b);
    }

    /** Length of the longest suffix of {@code s} that is a proper prefix of one of {@code tags}: it may become a tag. */
    static int heldBack(CharSequence s, String[] tags) {
        int best = 0;
        for (String tag : tags) {
            for (int n = Math.min(tag.length() - 1, s.length()); n > best; n--) {
                if (endsWith(s, tag, n)) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }

    private static boolean endsWith(CharSequence s, String tag, int n) {
        int off = s.length() - n;
        for (int i = 0; i < n; i++) if (s.charAt(off + i) != tag.charAt(i)) return false;
        return true;
    }
}
