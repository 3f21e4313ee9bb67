package dev.tailgate.gateway.limit;

import dev.tailgate.wire.ApiError;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client spend budgets per UTC day and month. A client at or over a budget gets 402 {@code budget_exceeded}
 * until the period turns. Spend is known only after a request (real usage × price), so one request may overshoot;
 * the next is refused. At start the totals are seeded from the usage ledger so a restart does not reset a budget.
 */
public final class SpendBudget {
    /** Where past spend comes from at start, e.g. {@code (client, from, to) -> ledger.spentUsd(client, from, to)}. */
    @FunctionalInterface
    public interface SpendSource {
        double spentUsd(String client, Instant from, Instant to);
    }

    private final Map<String, ClientLimits> limits;
    private final Clock clock;
    private final Map<String, Spend> spend = new ConcurrentHashMap<>();

    private static final class Spend {
        LocalDate day;
        double dayUsd;
        YearMonth month;
        double monthUsd;
    }

    public SpendBudget(Map<String, ClientLimits> limitsByClient, Clock clock) {
        this.limits = Map.copyOf(limitsByClient);
        this.clock = clock;
    }

    /** Loads today's and this month's spend of every client with a budget. */
    public void seed(SpendSource source) {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        Instant dayStart = today.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant monthStart = today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant now = clock.instant();
        limits.forEach((client, l) -> {
            if (l.budgetUsdPerDay() == null && l.budgetUsdPerMonth() == null) return;
            Spend s = current(client);
            synchronized (s) {
                s.dayUsd = source.spentUsd(client, dayStart, now.plusMillis(1));
                s.monthUsd = source.spentUsd(client, monthStart, now.plusMillis(1));
            }
        });
    }

    public Optional<ApiError> check(String client) {
        ClientLimits l = limits.get(client);
        if (l == null || l.budgetUsdPerDay() == null && l.budgetUsdPerMonth() == null) return Optional.empty();
        Spend s = current(client);
        synchronized (s) {
            if (l.budgetUsdPerDay() != null && s.dayUsd >= l.budgetUsdPerDay()) {
                return Optional.of(ApiError.insufficientBudget(String.format(Locale.ROOT,
                        "Client '%s' has spent $%.4f of its $%.2f daily budget; it resets at 00:00 UTC.", client, s.dayUsd, l.budgetUsdPerDay())));
            }
            if (l.budgetUsdPerMonth() != null && s.monthUsd >= l.budgetUsdPerMonth()) {
                return Optional.of(ApiError.insufficientBudget(String.format(Locale.ROOT,
                        "Client '%s' has spent $%.4f of its $%.2f monthly budget; it resets on the 1st (UTC).", client, s.monthUsd, l.budgetUsdPerMonth())));
            }
        }
        return Optional.empty();
    }

    public void record(String client, double costUsd) {
        if (costUsd <= 0) return;
        Spend s = current(client);
        synchronized (s) {
            s.dayUsd += costUsd;
            s.monthUsd += costUsd;
        }
    }

    public double spentToday(String client) {
        Spend s = current(client);
        synchronized (s) {
            return s.dayUsd;
        }
    }

    /** The client's running totals, rolled over when the UTC day or month has turned since the last look. */
    private Spend current(String client) {
        Spend s = spend.computeIfAbsent(client, c -> new Spend());
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        synchronized (s) {
            if (!today.equals(s.day)) {
                s.day = today;
                s.dayUsd = 0;
            }
            YearMonth month = YearMonth.from(today);
            if (!month.equals(s.month)) {
                s.month = month;
                s.monthUsd = 0;
            }
        }
        return s;
    }
}
