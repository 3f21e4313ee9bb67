package dev.tailgate.gateway.statuspage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.ledger.GroupBy;
import dev.tailgate.gateway.ledger.UsageRecord;
import dev.tailgate.gateway.ledger.UsageSummary;
import dev.tailgate.gateway.policy.AuditEntry;
import dev.tailgate.wire.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every string the page did not write itself is escaped, whatever section it lands in; the filters select as named. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PartsTest {
    static final String EVIL = "<script>alert(1)</script>\"'&\u001b[31m";

    static void assertEscaped(String html) {
        assertThat(html).doesNotContain("<script>").doesNotContain("\"'&\u001b").doesNotContain("\u001b")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;");
    }

    @Test
    void hostileNamesAreEscapedInEverySection() {
        var status = Json.parse("""
                {"status":"degraded","in_flight":0,
                 "providers":[{"name":"p","local":false,"state":"open","breaker":"open","last_error":"x","in_flight":0,"queued":0}],
                 "models":[{"id":"m","targets":["p/m"],"fallback":true,"private":false}],
                 "local":{"local":{"status":"ok","memory":{"used_bytes":1,"budget_bytes":2},
                   "models":[{"id":"q","state":"downloading","reason":"r","download":{"percent":50,"eta_seconds":7}}]}}}""");
        ((com.fasterxml.jackson.databind.node.ObjectNode) status.path("providers").get(0)).put("name", EVIL).put("last_error", EVIL);
        ((com.fasterxml.jackson.databind.node.ObjectNode) status.path("models").get(0)).put("id", EVIL);
        ((com.fasterxml.jackson.databind.node.ObjectNode) status.path("local").path("local").path("models").get(0)).put("id", EVIL);
        assertEscaped(Parts.providers(status));
        String local = Parts.local(status);
        assertEscaped(local);
        assertThat(local).contains("<progress max=\"100\" value=\"50\"></progress> 50%, 7 s left");

        UsageRecord row = new UsageRecord("rid-1", Instant.parse("2026-01-02T03:04:05Z"), EVIL, EVIL, EVIL, EVIL, 1, 2, 0.5, 10, 5L,
                502, EVIL, true);
        assertEscaped(Parts.requests(List.of(row)));
        UsageSummary s = new UsageSummary(Map.of(GroupBy.DAY, "2026-01-02", GroupBy.CLIENT, EVIL, GroupBy.MODEL, EVIL), 3, 1, 10, 20, 0.1, 12);
        assertEscaped(Parts.usage(List.of(s), List.of(s), List.of(s), 14));

        AuditEntry e = new AuditEntry(Instant.parse("2026-01-02T03:04:05Z"), "rid-1", EVIL, EVIL, true, EVIL, List.of(EVIL),
                List.of(new AuditEntry.Rejected(EVIL, EVIL, EVIL)), null);
        assertEscaped(Parts.audit(List.of(e), AuditFilter.ALL, Map.of("rid-1", EVIL)));
    }

    @Test
    void auditFiltersKeepPrivateRefusedAndFellBackDecisions() {
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        AuditEntry plain = new AuditEntry(t, "plain", "c", "m", false, "a/x", List.of("a/x", "b/y"), List.of(), null);
        AuditEntry priv = new AuditEntry(t, "priv", "c", "m", true, "local/q", List.of("local/q"), List.of(), null);
        AuditEntry refused = new AuditEntry(t, "refused", "c", "m", true, null, List.of(), List.of(), "no_private_route");
        AuditEntry fell = new AuditEntry(t, "fell", "c", "m", false, "a/x", List.of("a/x", "b/y"), List.of(), null);
        List<AuditEntry> all = List.of(plain, priv, refused, fell);
        Map<String, String> fellBack = Map.of("fell", "b/y");
        assertThat(rows(Parts.audit(all, AuditFilter.ALL, fellBack))).containsExactly("plain", "priv", "refused", "fell");
        assertThat(rows(Parts.audit(all, AuditFilter.PRIVATE, fellBack))).containsExactly("priv", "refused");
        assertThat(rows(Parts.audit(all, AuditFilter.REFUSED, fellBack))).containsExactly("refused");
        assertThat(rows(Parts.audit(all, AuditFilter.FELL_BACK, fellBack))).containsExactly("fell");
        assertThat(AuditFilter.parse("FellBack")).isEqualTo(AuditFilter.FELL_BACK);
        assertThat(AuditFilter.parse("<x>")).isEqualTo(AuditFilter.ALL);
    }

    private static List<String> rows(String html) {
        return java.util.regex.Pattern.compile("data-audit-request=\"([^\"]+)\"").matcher(html).results().map(m -> m.group(1)).toList();
    }
}
