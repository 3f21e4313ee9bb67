package dev.tailgate.gateway.statuspage;

import dev.tailgate.gateway.policy.AuditEntry;
import java.util.Locale;
import java.util.Map;

/**
 * The audit view's filters. "Fell back" is known only after the request ran: the ledger row's provider is not the
 * target the policy chose first ({@code fellBackTo} maps request ids to where they were served).
 */
enum AuditFilter {
    ALL("all"), PRIVATE("private"), REFUSED("refused"), FELL_BACK("fellback");

    final String param;

    AuditFilter(String param) {
        this.param = param;
    }

    /** Unknown or missing values show everything (the filter is a view, not an access rule). */
    static AuditFilter parse(String text) {
        if (text == null) return ALL;
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (AuditFilter f : values()) if (f.param.equals(t)) return f;
        return ALL;
    }

    boolean keeps(AuditEntry e, Map<String, String> fellBackTo) {
        return switch (this) {
            case ALL -> true;
            case PRIVATE -> e.privateRequest();
            case REFUSED -> e.refusal() != null;
            case FELL_BACK -> fellBackTo.containsKey(e.requestId());
        };
    }
}
