package dev.tailgate.gateway.limit;

/**
 * One client's limits. Config keys under {@code clients.<name>}: {@code rpm}, {@code tpm}, {@code budget_usd_per_day},
 * {@code budget_usd_per_month}. Zero or null means "no limit".
 */
public record ClientLimits(long rpm, long tpm, Double budgetUsdPerDay, Double budgetUsdPerMonth) {
    public static final ClientLimits NONE = new ClientLimits(0, 0, null, null);
}
