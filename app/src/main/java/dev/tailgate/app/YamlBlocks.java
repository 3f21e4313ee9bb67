package dev.tailgate.app;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adds an entry to a top-level mapping of a config file as text, so the user's comments and layout stay as written
 * (a YAML round trip through a parser would drop every comment). Callers validate the result with the service's own
 * config loader before writing it.
 */
final class YamlBlocks {
    private YamlBlocks() {}

    /**
     * {@code yaml} with {@code entryLines} (written with a two-space step, first line at column 0) as the first entry
     * of the top-level mapping {@code key}, indented like that mapping's existing entries; the mapping is appended when
     * the file has none.
     */
    static String insertFirst(String yaml, String key, String entryLines) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + ":[ \\t]*(#.*)?$").matcher(yaml);
        if (!m.find()) {
            String sep = yaml.isEmpty() || yaml.endsWith("\n") ? "" : "\n";
            return yaml + sep + key + ":\n" + indent(entryLines, "  ");
        }
        String rest = yaml.substring(m.end());
        String childIndent = "  ";
        Matcher child = Pattern.compile("(?m)^([ \\t]+)[^ \\t#\\n]").matcher(rest);
        if (child.find()) childIndent = child.group(1);
        int at = m.end() + (rest.startsWith("\n") ? 1 : 0);
        String head = yaml.substring(0, at) + (rest.startsWith("\n") ? "" : "\n");
        return head + indent(entryLines, childIndent) + yaml.substring(at);
    }

    private static String indent(String lines, String step) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines.split("\n")) {
            int spaces = 0;
            while (spaces < line.length() && line.charAt(spaces) == ' ') spaces++;
            sb.append(step).append(step.repeat(spaces / 2)).append(line.substring(spaces)).append('\n');
        }
        return sb.toString();
    }
}
