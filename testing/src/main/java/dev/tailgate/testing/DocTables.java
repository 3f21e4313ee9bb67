package dev.tailgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference tables of a page in the repository's {@code docs/} folder, for tests that hold the docs to the code:
 * every Markdown table row whose first cell starts with a code span (a config key such as {@code `providers.NAME.timeout`}
 * or an endpoint such as {@code `POST /v1/chat/completions`}) is one {@link Row}, keyed by that code span.
 */
public final class DocTables {
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    /** A cell separator: a pipe not escaped as {@code \|} (escaped pipes separate choices inside a cell). */
    private static final Pattern CELL = Pattern.compile("(?<!\\\\)\\|");

    /** One table row; {@code cells} are trimmed, with {@code \|} unescaped. */
    public record Row(String key, List<String> cells) {
        /** The cell at {@code i} (0 = the key's cell). */
        public String cell(int i) {
            return i < cells.size() ? cells.get(i) : "";
        }

        /** The first code span of cell {@code i}, or null when it has none (e.g. "¾ of physical memory"). */
        public String code(int i) {
            return firstCode(cell(i));
        }
    }

    private final Path file;
    private final Map<String, Row> rows;

    private DocTables(Path file, Map<String, Row> rows) {
        this.file = file;
        this.rows = rows;
    }

    /** Reads {@code docs/<page>} of the repository the test runs in (a module folder or the root). */
    public static DocTables read(String page) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("docs"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("no docs/ folder above " + Path.of("").toAbsolutePath());
        Path file = dir.resolve("docs").resolve(page);
        try {
            return parse(file, Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DocTables parse(Path file, String markdown) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : markdown.lines().toList()) {
            String t = line.trim();
            if (!t.startsWith("| `")) continue;
            List<String> cells = new ArrayList<>();
            String[] parts = CELL.split(t.substring(1, t.endsWith("|") ? t.length() - 1 : t.length()), -1);
            for (String p : parts) cells.add(p.trim().replace("\\|", "|"));
            String key = firstCode(cells.getFirst());
            if (rows.put(key, new Row(key, List.copyOf(cells))) != null) {
                throw new IllegalStateException(file + " lists " + key + " twice");
            }
        }
        return new DocTables(file, rows);
    }

    private static String firstCode(String cell) {
        Matcher m = CODE.matcher(cell);
        return m.find() ? m.group(1) : null;
    }

    /** Every row, in the page's order, by key. */
    public Map<String, Row> rows() {
        return rows;
    }

    public Path file() {
        return file;
    }
}
