package dev.tailgate.wire;

/**
 * The one escaping rule for text that reaches a log line or a terminal: control characters (C0, DEL, C1, and the
 * Unicode line/paragraph separators) become {@code \xHH} / {@code \\uHHHH} (and {@code \n}, {@code \r}, {@code \t}),
 * and a backslash is doubled, so a client-chosen string can neither forge a log line nor send ANSI escapes to an
 * operator's terminal, and the escaped text still reads unambiguously.
 */
public final class Printable {
    private Printable() {}

    /** Whether {@code s} holds a character {@link #escape} would rewrite other than a backslash. */
    public static boolean hasControl(String s) {
        if (s == null) return false;
        for (int i = 0; i < s.length(); i++) if (isControl(s.charAt(i))) return true;
        return false;
    }

    /** {@code s} with control characters escaped; null stays null. */
    public static String escape(String s) {
        if (s == null) return null;
        int i = 0;
        while (i < s.length() && !isControl(s.charAt(i)) && s.charAt(i) != '\\') i++;
        if (i == s.length()) return s;
        StringBuilder out = new StringBuilder(s.length() + 8).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (!isControl(c)) out.append(c);
                    else if (c < 0x100) out.append(String.format("\\x%02x", (int) c));
                    else out.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return out.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
