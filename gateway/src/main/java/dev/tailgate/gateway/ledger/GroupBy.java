package dev.tailgate.gateway.ledger;

import java.util.Locale;

/** Dimensions a usage summary can be grouped by; each maps to a fixed column (never user text in SQL). */
public enum GroupBy {
    CLIENT("client"), MODEL("model"), PROVIDER("provider"), DAY("day");

    final String column;

    GroupBy(String column) {
        this.column = column;
    }

    public static GroupBy parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a grouping (client, model, provider, day)");
        }
    }
}
