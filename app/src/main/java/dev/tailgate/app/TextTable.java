package dev.tailgate.app;

import dev.tailgate.wire.Printable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain aligned text table (left-aligned columns, two spaces apart, no trailing spaces, control characters escaped). */
public final class TextTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public TextTable(String... header) {
        this(Arrays.asList(header));
    }

    public TextTable(List<String> header) {
        this.header = List.copyOf(header);
    }

    public TextTable row(String... cells) {
        return row(Arrays.asList(cells));
    }

    public TextTable row(List<String> cells) {
        if (cells.size() != header.size()) {
            throw new IllegalArgumentException("row has " + cells.size() + " cells, header has " + header.size());
        }
        List<String> clean = new ArrayList<>(cells.size());
        for (String c : cells) clean.add(oneLine(c));
        rows.add(clean);
        return this;
    }

    public int size() {
        return rows.size();
    }

    public void print(PrintWriter out) {
        out.print(render());
    }

    public String render() {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) width[i] = header.get(i).length();
        for (List<String> r : rows) {
            for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        for (List<String> r : rows) line(sb, r, width);
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) line.append("  ");
            line.append(cells.get(i));
            if (i < cells.size() - 1) line.append(" ".repeat(width[i] - cells.get(i).length()));
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    /** Cells come from servers: never let one break the layout with a newline or a tab. */
    /**
     * A cell on one line: line breaks and tabs become a space, other control characters are escaped (values come from
     * services and files, not from us, and must not drive the terminal).
     */
    private static String oneLine(String s) {
        if (s == null) return "-";
        String t = Printable.escape(s.replaceAll("[\\r\\n\\t]+", " ").strip());
        return t.isEmpty() ? "-" : t;
    }
}
