package dev.tailgate.gateway.statuspage;

/** HTML escaping for every string the status page did not write itself (model names, client names, errors...). */
final class Html {
    private Html() {}

    /** Escapes {@code s} for element text and double- or single-quoted attribute values; null becomes empty. */
    static String esc(Object s) {
        if (s == null) return "";
        String t = s.toString();
        StringBuilder b = new StringBuilder(t.length() + 16);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // control characters never reach the page (a model name may carry them)
                    if (c < 0x20 && c != '\t') b.append('\uFFFD'); else b.append(c);
                }
            }
        }
        return b.toString();
    }
}
