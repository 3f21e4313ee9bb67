package dev.tailgate.gateway.statuspage;

import static dev.tailgate.gateway.statuspage.Html.esc;

import java.util.List;

/** Inline SVG bar charts (no script, no library): one bar per label, with a highlighted part (e.g. errors). */
final class Charts {
    /** One bar: its label, its total and the part of it drawn highlighted (0..total). */
    record Bar(String label, long total, long part) {}

    private static final int WIDTH = 720, HEIGHT = 140, AXIS = 18;

    private Charts() {}

    static String bars(List<Bar> bars, String totalName, String partName) {
        if (bars.isEmpty()) return "<p class=\"empty\">No usage in this period.</p>";
        long max = Math.max(1, bars.stream().mapToLong(Bar::total).max().orElse(1));
        double slot = (double) WIDTH / bars.size();
        double w = Math.max(2, slot * 0.7);
        int plot = HEIGHT - AXIS;
        StringBuilder b = new StringBuilder("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT).append("\"><title>")
                .append(esc(totalName)).append(" (max ").append(max).append(")</title>");
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            double x = i * slot + (slot - w) / 2;
            double h = (double) bar.total() / max * (plot - 4);
            double hp = (double) Math.min(bar.part(), bar.total()) / max * (plot - 4);
            b.append("<g><title>").append(esc(bar.label())).append(": ").append(bar.total()).append(' ').append(esc(totalName))
                    .append(", ").append(bar.part()).append(' ').append(esc(partName)).append("</title>")
                    .append(rect("bar", x, plot - h, w, h)).append(rect("bar-part", x, plot - hp, w, hp)).append("</g>");
            if (bars.size() <= 16 || i % Math.ceil(bars.size() / 16.0) == 0) {
                String day = bar.label() == null ? "" : bar.label();
                b.append("<text class=\"axis\" x=\"").append(fmt(x + w / 2)).append("\" y=\"").append(HEIGHT - 4)
                        .append("\" text-anchor=\"middle\">").append(esc(day.length() > 5 ? day.substring(5) : day)).append("</text>");
            }
        }
        b.append("<text class=\"axis\" x=\"2\" y=\"12\">").append(max).append("</text></svg>");
        b.append("<p class=\"legend\"><span class=\"key bar\">■</span> ").append(esc(totalName))
                .append(" <span class=\"key bar-part\">■</span> ").append(esc(partName)).append("</p>");
        return b.toString();
    }

    private static String rect(String cls, double x, double y, double w, double h) {
        return "<rect class=\"" + cls + "\" x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" width=\"" + fmt(w) + "\" height=\"" + fmt(h) + "\"/>";
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
