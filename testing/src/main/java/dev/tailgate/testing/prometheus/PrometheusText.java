package dev.tailgate.testing.prometheus;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests that check what {@code /metrics} serves.
 * There is no Java parser of the format on Maven Central (the Prometheus Java client only writes it), so this follows
 * the format's specification and Prometheus' own parser rules, and refuses (with {@link IllegalArgumentException}
 * naming the line) anything a Prometheus server would refuse or read differently:
 * <ul>
 *   <li>metric and label names must match the spec's patterns; label values are quoted with {@code \\ \" \n} escapes;
 *       a value is a Go float ({@code +Inf}, {@code -Inf}, {@code NaN} included), an optional timestamp an integer;</li>
 *   <li>at most one {@code # HELP} and one {@code # TYPE} per family; {@code # TYPE} comes before the family's first
 *       sample; a family's lines are contiguous; a type is counter, gauge, histogram, summary or untyped;</li>
 *   <li>no series (name + label set) appears twice, no label name twice in one series;</li>
 *   <li>a counter's samples are not negative; a histogram family has only {@code _bucket} (with {@code le}),
 *       {@code _sum} and {@code _count} samples; per label set its {@code le} bounds increase strictly, cumulative
 *       counts never decrease, the last bucket is {@code +Inf} and equals {@code _count}; {@code le} and
 *       {@code quantile} are not used as labels elsewhere.</li>
 * </ul>
 */
public final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample line: its name, labels (in written order) and value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** One metric family: its name, type ("untyped" when no TYPE line), help (null when none) and samples. */
    public record Family(String name, String type, String help, List<Sample> samples) {}

    private final Map<String, Family> families;

    private PrometheusText(Map<String, Family> families) {
        this.families = families;
    }

    /** Families by name, in the order they appear. */
    public Map<String, Family> families() {
        return families;
    }

    /** Every sample, in order. */
    public List<Sample> samples() {
        List<Sample> out = new ArrayList<>();
        families.values().forEach(f -> out.addAll(f.samples()));
        return out;
    }

    /** The names of every series a query can select: sample names (e.g. {@code x_bucket}, {@code x_count}) and family names. */
    public Set<String> seriesNames() {
        Set<String> out = new HashSet<>(families.keySet());
        samples().forEach(s -> out.add(s.name()));
        return out;
    }

    /** Parses {@code text} or throws {@link IllegalArgumentException} naming the first offending line. */
    public static PrometheusText parse(String text) {
        return new Parser().parse(text);
    }

    private static final class Parser {
        private final Map<String, String> types = new LinkedHashMap<>();
        private final Map<String, String> helps = new LinkedHashMap<>();
        private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
        private final Set<String> closed = new HashSet<>();
        private final Set<String> seen = new HashSet<>();
        private String current;
        private int lineNo;
        private String line;

        PrometheusText parse(String text) {
            if (!text.isEmpty() && !text.endsWith("\n")) throw new IllegalArgumentException("the exposition must end with a line feed");
            for (String l : text.split("\n", -1)) {
                lineNo++;
                line = l;
                if (l.isEmpty()) continue;
                if (l.startsWith("#")) comment(l);
                else sample(l);
            }
            Map<String, Family> out = new LinkedHashMap<>();
            for (String name : order()) {
                Family f = new Family(name, types.getOrDefault(name, "untyped"), helps.get(name), List.copyOf(samples.getOrDefault(name, List.of())));
                if (f.type().equals("histogram")) checkHistogram(f);
                out.put(name, f);
            }
            return new PrometheusText(out);
        }

        private List<String> order() {
            List<String> names = new ArrayList<>(types.keySet());
            helps.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
            samples.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
            return names;
        }

        private void comment(String l) {
            String[] parts = l.split("[ \t]+", 4);
            if (parts.length < 2 || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) return; // a plain comment
            if (parts.length < 3) fail("# " + parts[1] + " without a metric name");
            String name = parts[2];
            if (!METRIC_NAME.matcher(name).matches()) fail("invalid metric name '" + name + "'");
            enter(name);
            if (parts[1].equals("HELP")) {
                if (helps.containsKey(name)) fail("a second HELP line for " + name);
                helps.put(name, parts.length > 3 ? unescapeHelp(parts[3]) : "");
            } else {
                if (types.containsKey(name)) fail("a second TYPE line for " + name);
                if (samples.containsKey(name)) fail("TYPE for " + name + " after its first sample");
                String type = parts.length > 3 ? parts[3].trim() : "";
                if (!TYPES.contains(type)) fail("unknown type '" + type + "' for " + name);
                types.put(name, type);
            }
        }

        private void sample(String l) {
            int i = 0;
            while (i < l.length() && isNameChar(l.charAt(i), i == 0)) i++;
            String name = l.substring(0, i);
            if (!METRIC_NAME.matcher(name).matches()) fail("invalid metric name");
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < l.length() && l.charAt(i) == '{') i = labels(l, i + 1, labels);
            if (i >= l.length() || (l.charAt(i) != ' ' && l.charAt(i) != '\t')) fail("expected a space before the value");
            String[] rest = l.substring(i).trim().split("[ \t]+");
            if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) fail("expected a value and an optional timestamp");
            double value = number(rest[0]);
            if (rest.length == 2) {
                try {
                    Long.parseLong(rest[1]);
                } catch (NumberFormatException e) {
                    fail("invalid timestamp '" + rest[1] + "'");
                }
            }
            String family = familyOf(name);
            enter(family);
            String type = types.getOrDefault(family, "untyped");
            checkSampleName(family, type, name, labels);
            if (type.equals("counter") && value < 0) fail("negative counter value");
            if (!seen.add(name + new TreeMap<>(labels))) fail("duplicate series " + name + labels);
            samples.computeIfAbsent(family, k -> new ArrayList<>()).add(new Sample(name, Map.copyOf(labels), value));
        }

        /** The family a sample belongs to: a histogram's or summary's suffixes name their TYPE'd family. */
        private String familyOf(String name) {
            for (String suffix : List.of("_bucket", "_sum", "_count")) {
                if (name.endsWith(suffix)) {
                    String base = name.substring(0, name.length() - suffix.length());
                    String t = types.get(base);
                    if ("histogram".equals(t) || ("summary".equals(t) && !suffix.equals("_bucket"))) return base;
                }
            }
            return name;
        }

        private void checkSampleName(String family, String type, String name, Map<String, String> labels) {
            switch (type) {
                case "histogram" -> {
                    if (name.equals(family + "_bucket")) {
                        if (!labels.containsKey("le")) fail("histogram bucket without an le label");
                    } else if (name.equals(family + "_sum") || name.equals(family + "_count")) {
                        if (labels.containsKey("le")) fail("le label on " + name);
                    } else {
                        fail("sample " + name + " in histogram " + family + " (only _bucket, _sum, _count)");
                    }
                    if (labels.containsKey("quantile")) fail("quantile label in a histogram");
                }
                case "summary" -> {
                    if (labels.containsKey("le")) fail("le label in a summary");
                }
                default -> {
                    if (labels.containsKey("le") || labels.containsKey("quantile")) fail("le/quantile label on a " + type);
                }
            }
        }

        /** Families are contiguous: once another family starts, this one may not come back. */
        private void enter(String family) {
            if (family.equals(current)) return;
            if (closed.contains(family)) fail("the lines of " + family + " are not contiguous");
            if (current != null) closed.add(current);
            current = family;
        }

        private int labels(String l, int i, Map<String, String> out) {
            while (true) {
                if (i >= l.length()) fail("unterminated label set");
                if (l.charAt(i) == '}') return i + 1;
                int start = i;
                while (i < l.length() && isLabelChar(l.charAt(i), i == start)) i++;
                String label = l.substring(start, i);
                if (!LABEL_NAME.matcher(label).matches()) fail("invalid label name '" + label + "'");
                if (label.startsWith("__")) fail("label name '" + label + "' is reserved");
                if (i >= l.length() || l.charAt(i) != '=') fail("expected = after label " + label);
                i++;
                if (i >= l.length() || l.charAt(i) != '"') fail("label value of " + label + " must be quoted");
                i++;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= l.length()) fail("unterminated label value of " + label);
                    char c = l.charAt(i++);
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i >= l.length()) fail("dangling escape in label " + label);
                        char e = l.charAt(i++);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> fail("invalid escape \\" + e + " in label " + label);
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (out.put(label, v.toString()) != null) fail("label " + label + " given twice");
                if (i < l.length() && l.charAt(i) == ',') i++;
                else if (i >= l.length() || l.charAt(i) != '}') fail("expected , or } after label " + label);
            }
        }

        private void checkHistogram(Family f) {
            Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
            Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
            Set<Map<String, String>> sums = new HashSet<>();
            for (Sample s : f.samples()) {
                Map<String, String> key = new TreeMap<>(s.labels());
                key.remove("le");
                if (s.name().endsWith("_bucket")) buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
                else if (s.name().endsWith("_count")) counts.put(key, s.value());
                else sums.add(key);
            }
            for (var e : buckets.entrySet()) {
                double lastLe = Double.NEGATIVE_INFINITY;
                double lastCount = 0;
                for (Sample b : e.getValue()) {
                    double le = number(b.labels().get("le"), f.name() + " le");
                    if (!(le > lastLe)) failAt("histogram " + f.name() + e.getKey() + ": le " + b.labels().get("le") + " not above the previous bound");
                    if (b.value() < lastCount) failAt("histogram " + f.name() + e.getKey() + ": bucket le=" + b.labels().get("le") + " below the previous one");
                    lastLe = le;
                    lastCount = b.value();
                }
                if (lastLe != Double.POSITIVE_INFINITY) failAt("histogram " + f.name() + e.getKey() + " has no +Inf bucket last");
                Double count = counts.get(e.getKey());
                if (count == null) failAt("histogram " + f.name() + e.getKey() + " has no _count");
                if (count != lastCount) failAt("histogram " + f.name() + e.getKey() + ": _count " + count + " != +Inf bucket " + lastCount);
                if (!sums.contains(e.getKey())) failAt("histogram " + f.name() + e.getKey() + " has no _sum");
            }
            for (var key : counts.keySet()) {
                if (!buckets.containsKey(key)) failAt("histogram " + f.name() + key + " has a _count but no buckets");
            }
        }

        private double number(String s) {
            return number(s, "value");
        }

        private double number(String s, String what) {
            switch (s) {
                case "+Inf", "Inf" -> { return Double.POSITIVE_INFINITY; }
                case "-Inf" -> { return Double.NEGATIVE_INFINITY; }
                case "NaN" -> { return Double.NaN; }
                default -> {
                    // Go's ParseFloat: digits, dot, exponent; no hex, no trailing letters (Java would take "1d" or "0x1p3")
                    if (!s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) failAt("invalid " + what + " '" + s + "'");
                    return Double.parseDouble(s);
                }
            }
        }

        private static String unescapeHelp(String s) {
            return s.replace("\\n", "\n").replace("\\\\", "\\");
        }

        private static boolean isNameChar(char c, boolean first) {
            return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
        }

        private static boolean isLabelChar(char c, boolean first) {
            return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
        }

        private void fail(String why) {
            throw new IllegalArgumentException("line " + lineNo + ": " + why + ": " + line);
        }

        private static void failAt(String why) {
            throw new IllegalArgumentException(why);
        }
    }
}
