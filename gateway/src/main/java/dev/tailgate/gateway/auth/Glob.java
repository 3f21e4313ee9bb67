package dev.tailgate.gateway.auth;

/** Model-id globs for {@code clients.*.models}: {@code *} matches any run of characters, {@code ?} one character. */
public final class Glob {
    private Glob() {}

    public static boolean matches(String glob, String text) {
        return match(glob, 0, text, 0);
    }

    private static boolean match(String g, int gi, String t, int ti) {
        while (gi < g.length()) {
            char c = g.charAt(gi);
            if (c == '*') {
                while (gi < g.length() && g.charAt(gi) == '*') gi++;
                if (gi == g.length()) return true;
                for (int k = ti; k <= t.length(); k++) if (match(g, gi, t, k)) return true;
                return false;
            }
            if (ti >= t.length()) return false;
            if (c != '?' && c != t.charAt(ti)) return false;
            gi++;
            ti++;
        }
        return ti == t.length();
    }
}
