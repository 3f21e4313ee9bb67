package dev.tailgate.gateway.statuspage;

import static dev.tailgate.gateway.statuspage.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.ledger.GroupBy;
import dev.tailgate.gateway.ledger.UsageRecord;
import dev.tailgate.gateway.ledger.UsageSummary;
import dev.tailgate.gateway.policy.AuditEntry;
import dev.tailgate.wire.ByteSizes;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status page's sections as HTML fragments. Rendered on the server (the page's script only swaps them in), and
 * every value that did not come from this class goes through {@link Html#esc}.
 */
final class Parts {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Parts() {}

    /** Providers with health and breaker state, then models and their routes ({@code /status} details). */
    static String providers(JsonNode status) {
        StringBuilder b = new StringBuilder();
        b.append("<p class=\"overall\">gateway: <span class=\"state state-").append(esc(status.path("status").asText()))
                .append("\" id=\"overall\">").append(esc(status.path("status").asText())).append("</span> · ")
                .append(status.path("in_flight").asLong()).append(" in flight</p>");
        b.append("<table class=\"providers\"><thead><tr><th>provider</th><th>local</th><th>health</th><th>breaker</th>")
                .append("<th>in flight</th><th>queued</th><th>last error</th></tr></thead><tbody>");
        for (JsonNode p : status.path("providers")) {
            String name = p.path("name").asText();
            b.append("<tr data-provider=\"").append(esc(name)).append("\">")
                    .append("<td>").append(esc(name)).append("</td>")
                    .append("<td>").append(p.path("local").asBoolean() ? "yes" : "no").append("</td>")
                    .append(stateCell("health", p.path("state").asText()))
                    .append(stateCell("breaker", p.path("breaker").asText("")))
                    .append("<td>").append(p.path("in_flight").asLong()).append(" / ").append(p.path("max_concurrency").asLong()).append("</td>")
                    .append("<td>").append(p.path("queued").asLong()).append(" / ").append(p.path("max_queue").asLong()).append("</td>")
                    .append("<td class=\"error\">").append(esc(p.path("last_error").asText(""))).append("</td></tr>");
        }
        b.append("</tbody></table>");
        b.append("<table class=\"models\"><thead><tr><th>model</th><th>routes (in order)</th><th>fallback</th><th>private</th>")
                .append("</tr></thead><tbody>");
        for (JsonNode m : status.path("models")) {
            StringBuilder targets = new StringBuilder();
            for (JsonNode t : m.path("targets")) targets.append(targets.isEmpty() ? "" : " → ").append(t.asText());
            b.append("<tr data-model=\"").append(esc(m.path("id").asText())).append("\"><td>").append(esc(m.path("id").asText()))
                    .append("</td><td>").append(esc(targets)).append("</td><td>").append(m.path("fallback").asBoolean() ? "yes" : "no")
                    .append("</td><td>").append(m.path("private").asBoolean() ? "yes" : "no").append("</td></tr>");
        }
        b.append("</tbody></table>");
        return b.toString();
    }

    /** qwen-local as the gateway's probes last saw it: models with state, queue, memory and load progress. */
    static String local(JsonNode status) {
        JsonNode local = status.path("local");
        if (!local.isObject() || local.isEmpty()) {
            return "<p class=\"empty\">No qwen-local answered the gateway's probes (no provider with <code>local: true</code>"
                    + " and <code>health_check: qwen-status</code>, or it is down).</p>";
        }
        StringBuilder b = new StringBuilder();
        local.properties().forEach(e -> {
            JsonNode s = e.getValue();
            JsonNode mem = s.path("memory");
            long used = mem.path("used_bytes").asLong(), budget = mem.path("budget_bytes").asLong();
            b.append("<h3>").append(esc(e.getKey())).append(": <span class=\"state state-").append(esc(s.path("status").asText()))
                    .append("\">").append(esc(s.path("status").asText())).append("</span></h3>");
            b.append("<p>memory ").append(esc(ByteSizes.format(used))).append(" of ").append(esc(ByteSizes.format(budget)))
                    .append(" <meter min=\"0\" max=\"").append(Math.max(budget, 1)).append("\" value=\"").append(used).append("\"></meter></p>");
            b.append("<table class=\"local-models\"><thead><tr><th>model</th><th>capability</th><th>engine</th><th>state</th>")
                    .append("<th>in flight</th><th>queued</th><th>memory</th><th>progress</th><th>reason</th></tr></thead><tbody>");
            for (JsonNode m : s.path("models")) {
                b.append("<tr data-local-model=\"").append(esc(m.path("id").asText())).append("\"><td>").append(esc(m.path("id").asText()))
                        .append("</td><td>").append(esc(m.path("capability").asText(""))).append("</td><td>").append(esc(m.path("engine").asText("")))
                        .append("</td>").append(stateCell("state", m.path("state").asText()))
                        .append("<td>").append(m.path("in_flight").asLong()).append("</td><td>").append(m.path("queued").asLong())
                        .append("</td><td>").append(esc(ByteSizes.format(m.path("memory_bytes").asLong()))).append("</td><td>")
                        .append(progress(m)).append("</td><td class=\"error\">").append(esc(m.path("reason").asText(""))).append("</td></tr>");
            }
            b.append("</tbody></table>");
        });
        return b.toString();
    }

    /** A downloading model's {@code download.percent} (and time left when known); other states say enough. */
    private static String progress(JsonNode m) {
        JsonNode p = m.path("download").path("percent");
        if (!p.isNumber()) return "";
        long v = Math.clamp(p.asLong(), 0, 100);
        JsonNode eta = m.path("download").path("eta_seconds");
        return "<progress max=\"100\" value=\"" + v + "\"></progress> " + v + "%"
                + (eta.isNumber() ? ", " + Math.max(0, eta.asLong()) + " s left" : "");
    }

    /** The last requests from the ledger: metadata only (the ledger has no column for text). */
    static String requests(List<UsageRecord> rows) {
        if (rows == null) return "<p class=\"empty\">The usage ledger is off (<code>ledger: off</code>).</p>";
        if (rows.isEmpty()) return "<p class=\"empty\">No requests yet.</p>";
        StringBuilder b = new StringBuilder("<table class=\"requests\"><thead><tr><th>time (UTC)</th><th>request id</th><th>client</th>")
                .append("<th>model</th><th>served by</th><th>status</th><th>error</th><th>latency</th><th>first token</th>")
                .append("<th>tokens in/out</th><th>cost</th><th>private</th></tr></thead><tbody>");
        for (UsageRecord r : rows) {
            String servedBy = r.provider() == null ? "" : r.provider() + "/" + (r.upstreamModel() == null ? "" : r.upstreamModel());
            b.append("<tr data-request=\"").append(esc(r.requestId())).append("\"><td>").append(TIME.format(r.time()))
                    .append("</td><td>").append(esc(r.requestId())).append("</td><td>").append(esc(r.client()))
                    .append("</td><td>").append(esc(r.modelAlias())).append("</td><td>").append(esc(servedBy))
                    .append("</td><td class=\"status-").append(r.status() / 100).append("xx\">").append(r.status())
                    .append("</td><td>").append(esc(r.errorCode())).append("</td><td>").append(r.latencyMs()).append(" ms</td><td>")
                    .append(r.ttftMs() == null ? "" : r.ttftMs() + " ms").append("</td><td>").append(r.promptTokens()).append(" / ")
                    .append(r.completionTokens()).append("</td><td>").append(usd(r.costUsd())).append("</td><td>")
                    .append(r.privateRequest() ? "yes" : "no").append("</td></tr>");
        }
        return b.append("</tbody></table>").toString();
    }

    /** Usage per day (chart), per client and per model (tables) over the last days. */
    static String usage(List<UsageSummary> byDay, List<UsageSummary> byClient, List<UsageSummary> byModel, int days) {
        if (byDay == null) return "<p class=\"empty\">The usage ledger is off (<code>ledger: off</code>).</p>";
        StringBuilder b = new StringBuilder();
        b.append("<h3>requests per day, last ").append(days).append(" days (UTC)</h3>");
        b.append(Charts.bars(byDay.stream().map(s -> new Charts.Bar(s.keys().get(GroupBy.DAY), s.requests(), s.errors())).toList(),
                "requests", "errors"));
        b.append("<h3>tokens per day</h3>");
        b.append(Charts.bars(byDay.stream().map(s -> new Charts.Bar(s.keys().get(GroupBy.DAY),
                s.promptTokens() + s.completionTokens(), s.completionTokens())).toList(), "tokens in+out", "of which out"));
        b.append(usageTable("client", GroupBy.CLIENT, byClient));
        b.append(usageTable("model", GroupBy.MODEL, byModel));
        return b.toString();
    }

    private static String usageTable(String title, GroupBy by, List<UsageSummary> rows) {
        StringBuilder b = new StringBuilder("<table class=\"usage-").append(title).append("\"><thead><tr><th>").append(title)
                .append("</th><th>requests</th><th>errors</th><th>tokens in</th><th>tokens out</th><th>cost</th><th>avg latency</th></tr></thead><tbody>");
        for (UsageSummary s : rows) {
            b.append("<tr><td>").append(esc(s.keys().get(by))).append("</td><td>").append(s.requests()).append("</td><td>")
                    .append(s.errors()).append("</td><td>").append(s.promptTokens()).append("</td><td>").append(s.completionTokens())
                    .append("</td><td>").append(usd(s.costUsd())).append("</td><td>").append(Math.round(s.avgLatencyMs())).append(" ms</td></tr>");
        }
        return b.append("</tbody></table>").toString();
    }

    /** The audit log's recent routing decisions, filtered; {@code fellBackTo}: request id → where it was served instead. */
    static String audit(List<AuditEntry> newestFirst, AuditFilter filter, Map<String, String> fellBackTo) {
        StringBuilder b = new StringBuilder("<p class=\"filters\">show: ");
        for (AuditFilter f : AuditFilter.values()) {
            b.append("<a href=\"?audit=").append(f.param).append("\" data-audit=\"").append(f.param).append("\"")
                    .append(f == filter ? " class=\"active\"" : "").append(">").append(label(f)).append("</a> ");
        }
        b.append("</p>");
        List<AuditEntry> shown = newestFirst.stream().filter(e -> filter.keeps(e, fellBackTo)).limit(200).toList();
        if (shown.isEmpty()) return b.append("<p class=\"empty\" data-audit-empty=\"").append(filter.param).append("\">No decisions match.</p>").toString();
        b.append("<table class=\"audit\" data-filter=\"").append(filter.param).append("\"><thead><tr><th>time (UTC)</th><th>request id</th>")
                .append("<th>client</th><th>model</th><th>private</th><th>chosen</th><th>fell back to</th><th>refusal</th>")
                .append("<th>rejected targets</th></tr></thead><tbody>");
        for (AuditEntry e : shown) {
            StringBuilder rejected = new StringBuilder();
            for (AuditEntry.Rejected r : e.rejected()) {
                rejected.append(rejected.isEmpty() ? "" : "; ").append(r.target()).append(": ").append(r.reason());
            }
            b.append("<tr data-audit-request=\"").append(esc(e.requestId())).append("\"><td>").append(TIME.format(e.time()))
                    .append("</td><td>").append(esc(e.requestId())).append("</td><td>").append(esc(e.client()))
                    .append("</td><td>").append(esc(e.model())).append("</td><td>").append(e.privateRequest() ? "yes" : "no")
                    .append("</td><td>").append(esc(e.chosen())).append("</td><td>").append(esc(fellBackTo.get(e.requestId())))
                    .append("</td><td>").append(esc(e.refusal())).append("</td><td>").append(esc(rejected)).append("</td></tr>");
        }
        return b.append("</tbody></table>").toString();
    }

    private static String label(AuditFilter f) {
        return switch (f) {
            case ALL -> "all";
            case PRIVATE -> "private";
            case REFUSED -> "refused";
            case FELL_BACK -> "fell back";
        };
    }

    private static String stateCell(String kind, String state) {
        return "<td class=\"" + kind + " state state-" + esc(state) + "\">" + esc(state) + "</td>";
    }

    private static String usd(double v) {
        return String.format(Locale.ROOT, "$%.4f", v);
    }
}
