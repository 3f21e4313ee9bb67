package dev.tailgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference tables of a page in the repository's {@code docs/} folder, for tests that hold the docs to the code:
 * every Markdown table row whose first cell starts with a code span (a config key such as {@code `providers.NAME.timeout`}
 * or an endpoint such as {@code `POST /v1/chat/completions`}) is one {@link Row}, keyed by that code span. A key is
 * unique within its section (the rows under one {@code ## } heading); {@link #section} narrows a page to one.
 */
public final class DocTables {
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    /** A cell separator: a pipe not escaped as {@code \|} (escaped pipes separate choices inside a cell). */
    private static final Pattern CELL = Pattern.compile("(?<!\\\\)\\|");

    /** One table row; {@code cells} are trimmed, with {@code \|} unescaped; {@code section} is its {@code ## } heading. */
    public record Row(String section, String key, List<String> cells) {
        /** The cell at {@code i} (0 = the key's cell). */
        public String cell(int i) {
            return i < cells.size() ? cells.get(i) : "";
        }

        /** The first code span of cell {@code i}, or null when it has none (e.g. "¾ of physical memory"). */
        public String code(int i) {
            return firstCode(cell(i));
        }

        /** The values of an enumerated cell such as {@code `ok` | `degraded`}; empty when the cell is not one. */
        public Set<String> choices(int i) {
            if (!ENUMERATION.matcher(cell(i)).matches()) return Set.of();
            Set<String> out = new TreeSet<>();
            for (Matcher m = CODE.matcher(cell(i)); m.find(); ) out.add(m.group(1));
            return out;
        }
    }

    private static final Pattern ENUMERATION = Pattern.compile("`[^`]+`(\\s*\\|\\s*`[^`]+`)+");

    /**
     * The field paths of a JSON body as the status tables name them: {@code a.b} for members, {@code list[].field}
     * for the members of a list's first element; a path in {@code leaves} (a documented field) is not looked into.
     */
    public static Set<String> fieldPaths(JsonNode json, Set<String> leaves) {
        Set<String> out = new TreeSet<>();
        collect(json, "", leaves, out);
        return out;
    }

    /**
     * How a JSON body differs from this section's field table ({@code | field | type | meaning |}): fields it has that
     * are not documented, documented fields it lacks although their meaning does not say "only when", and values of
     * an enumerated type ({@code `a` | `b`}) that are not among the choices. Empty when the two agree.
     */
    public List<String> fieldProblems(JsonNode body) {
        Map<String, Row> doc = rows();
        Set<String> actual = fieldPaths(body, doc.keySet());
        List<String> problems = new ArrayList<>();
        for (String f : actual) if (!doc.containsKey(f)) problems.add("undocumented field " + f);
        for (Row row : doc.values()) {
            if (!actual.contains(row.key())) {
                if (!row.cell(2).contains("only when")) problems.add("documented field " + row.key() + " is missing");
                continue;
            }
            Set<String> choices = row.choices(1);
            JsonNode v = body.at("/" + row.key().replace("[]", "/0").replace('.', '/'));
            if (!choices.isEmpty() && !choices.contains(v.asText())) problems.add(row.key() + " = " + v + " is not one of " + choices);
        }
        return problems;
    }

    private static void collect(JsonNode n, String path, Set<String> leaves, Set<String> out) {
        if (!path.isEmpty() && leaves.contains(path)) {
            out.add(path);
        } else if (n.isObject()) {
            n.properties().forEach(e -> collect(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), leaves, out));
        } else if (n.isArray() && !n.isEmpty() && n.get(0).isObject()) {
            collect(n.get(0), path + "[]", leaves, out);
        } else {
            out.add(path);
        }
    }

    private final Path file;
    private final List<Row> rows;

    private DocTables(Path file, List<Row> rows) {
        this.file = file;
        this.rows = List.copyOf(rows);
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
        List<Row> rows = new ArrayList<>();
        Map<String, Row> seen = new LinkedHashMap<>();
        String section = "";
        for (String line : markdown.lines().toList()) {
            String t = line.trim();
            if (t.startsWith("## ")) section = t.substring(3).trim();
            if (!t.startsWith("| `")) continue;
            List<String> cells = new ArrayList<>();
            String[] parts = CELL.split(t.substring(1, t.endsWith("|") ? t.length() - 1 : t.length()), -1);
            for (String p : parts) cells.add(p.trim().replace("\\|", "|"));
            String key = firstCode(cells.getFirst());
            Row row = new Row(section, key, List.copyOf(cells));
            if (seen.put(section + "\u0000" + key, row) != null) {
                throw new IllegalStateException(file + " lists " + key + " twice under '" + section + "'");
            }
            rows.add(row);
        }
        return new DocTables(file, rows);
    }

    private static String firstCode(String cell) {
        Matcher m = CODE.matcher(cell);
        return m.find() ? m.group(1) : null;
    }

    /** Every row, in the page's order, by key (a key listed in two sections: narrow with {@link #section} first). */
    public Map<String, Row> rows() {
        Map<String, Row> byKey = new LinkedHashMap<>();
        for (Row r : rows) {
            if (byKey.put(r.key(), r) != null) throw new IllegalStateException(file + " lists " + r.key() + " in two sections");
        }
        return byKey;
    }

    /** The rows under the {@code ## } headings that start with {@code heading}. */
    public DocTables section(String heading) {
        List<Row> in = rows.stream().filter(r -> r.section().startsWith(heading)).toList();
        if (in.isEmpty()) throw new IllegalStateException(file + " has no table under a heading starting with '" + heading + "'");
        return new DocTables(file, in);
    }

    public Path file() {
        return file;
    }
}
