package dev.tailgate.wire;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses config durations: {@code 120s}, {@code 10m}, {@code 1h30m}, {@code 500ms}, {@code 0} (meaning "never"/"off").
 * A bare number other than 0 is refused: {@code timeout: 120} could mean seconds or milliseconds, so the error says
 * "write 120s".
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

    private Durations() {}

    public static Duration parse(String text) {
        if (text == null) throw new IllegalArgumentException("duration is missing");
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("0")) return Duration.ZERO;
        if (s.matches("\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException("'" + text + "' needs a unit: write " + s + "s (or " + s + "ms, " + s + "m, " + s + "h)");
        }
        Matcher m = PART.matcher(s);
        int at = 0;
        double millis = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 500ms, 30s, 10m, 1h)");
            }
            double n = Double.parseDouble(m.group(1));
            millis += n * switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            at = m.end();
        }
        return Duration.ofMillis(Math.round(millis));
    }

    /** Formats the way the config spells it, for messages and /status. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0";
        if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1_000 == 0) return ms / 1_000 + "s";
        return ms + "ms";
    }
}
