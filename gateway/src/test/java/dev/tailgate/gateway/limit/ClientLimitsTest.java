package dev.tailgate.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.testing.MutableClock;
import dev.tailgate.wire.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ClientLimitsTest {
    private final MutableClock clock = MutableClock.at("2026-01-31T23:00:00Z");

    @Test
    void requestsPerMinuteRefillContinuouslyAndRetryAfterIsTheExactWait() {
        ClientRateLimiter rl = new ClientRateLimiter(Map.of("a", new ClientLimits(2, 0, null, null)), clock::nanoTime);
        assertThat(rl.tryAdmit("a", 0)).isEmpty();
        assertThat(rl.tryAdmit("a", 0)).isEmpty();
        Optional<ApiError> third = rl.tryAdmit("a", 0);
        assertThat(third).isPresent();
        assertThat(third.get().status()).isEqualTo(429);
        assertThat(third.get().code()).isEqualTo("rate_limited");
        assertThat(third.get().retryAfterHeader()).isEqualTo("30"); // 2/min: one every 30 s
        clock.advance(Duration.ofSeconds(29));
        assertThat(rl.tryAdmit("a", 0)).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(rl.tryAdmit("a", 0)).isEmpty();
        assertThat(rl.tryAdmit("b", 0)).as("a client without limits").isEmpty();
    }

    @Test
    void tokensPerMinuteChargeTheEstimateThenSettleRealUsage() {
        ClientRateLimiter rl = new ClientRateLimiter(Map.of("a", new ClientLimits(0, 1000, null, null)), clock::nanoTime);
        assertThat(rl.tryAdmit("a", 600)).isEmpty();
        assertThat(rl.tryAdmit("a", 600)).as("only 400 left").isPresent();
        rl.settle("a", 600, 100); // the estimate was far too high: 500 back
        assertThat(rl.tryAdmit("a", 600)).isEmpty();
        rl.settle("a", 600, 2600); // a long completion: 2000 more, a debt
        Optional<ApiError> err = rl.tryAdmit("a", 1);
        assertThat(err).isPresent();
        assertThat(err.get().message()).contains("tokens per minute");
        clock.advance(Duration.ofMinutes(3));
        assertThat(rl.tryAdmit("a", 1)).isEmpty();
    }

    @Test
    void aRequestLargerThanTheWholeBucketPassesWhenFullAndLeavesADebt() {
        ClientRateLimiter rl = new ClientRateLimiter(Map.of("a", new ClientLimits(0, 100, null, null)), clock::nanoTime);
        assertThat(rl.tryAdmit("a", 500)).isEmpty();
        assertThat(rl.tryAdmit("a", 1)).isPresent();
    }

    @Test
    void bothBucketsMustAllowAndNeitherIsChargedOnRefusal() {
        ClientRateLimiter rl = new ClientRateLimiter(Map.of("a", new ClientLimits(10, 100, null, null)), clock::nanoTime);
        assertThat(rl.tryAdmit("a", 100)).isEmpty();
        for (int i = 0; i < 5; i++) assertThat(rl.tryAdmit("a", 50)).isPresent(); // refused on tokens: no request charged
        clock.advance(Duration.ofSeconds(30)); // 50 tokens back
        for (int i = 0; i < 1; i++) assertThat(rl.tryAdmit("a", 50)).isEmpty();
    }

    @Test
    void pricingPicksTheMostSpecificKeyAndUnpricedIsFree() {
        Pricing p = new Pricing(Map.of(
                "deepseek/deepseek-chat", new Pricing.Price(0.27, 1.10),
                "deepseek-chat", new Pricing.Price(99, 99),
                "qwen", new Pricing.Price(1, 2)));
        assertThat(p.costUsd("deepseek", "deepseek-chat", "qwen", 1_000_000, 500_000)).isCloseTo(0.82, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(p.costUsd("other", "deepseek-chat", "x", 1_000_000, 0)).isEqualTo(99);
        assertThat(p.costUsd("local", "qwen2.5", "qwen", 2_000_000, 1_000_000)).isEqualTo(4);
        assertThat(p.costUsd("local", "qwen2.5", "unpriced", 2_000_000, 1_000_000)).isZero();
    }

    @Test
    void dailyBudgetRefusesWith402UntilTheUtcDayTurnsAndMonthlyUntilTheMonthTurns() {
        SpendBudget b = new SpendBudget(Map.of("a", new ClientLimits(0, 0, 1.0, 1.5)), clock);
        assertThat(b.check("a")).isEmpty();
        b.record("a", 0.6);
        assertThat(b.check("a")).isEmpty();
        b.record("a", 0.6); // overshoots by one request: spend is known only afterwards
        ApiError day = b.check("a").orElseThrow();
        assertThat(day.status()).isEqualTo(402);
        assertThat(day.code()).isEqualTo("budget_exceeded");
        assertThat(day.message()).contains("daily");
        clock.advance(Duration.ofHours(1)); // 2026-02-01: new day and new month
        assertThat(b.check("a")).isEmpty();
        assertThat(b.spentToday("a")).isZero();
    }

    @Test
    void monthlyBudgetOutlivesTheDay() {
        MutableClock mid = MutableClock.at("2026-01-10T23:00:00Z");
        SpendBudget b = new SpendBudget(Map.of("a", new ClientLimits(0, 0, 1.0, 1.5)), mid);
        b.record("a", 0.9);
        mid.advance(Duration.ofHours(2));
        b.record("a", 0.9);
        assertThat(b.check("a").orElseThrow().message()).contains("monthly");
    }

    @Test
    void budgetsAreSeededFromPastSpend() {
        SpendBudget b = new SpendBudget(Map.of("a", new ClientLimits(0, 0, 1.0, null)), clock);
        b.seed((client, from, to) -> {
            assertThat(from).isIn(Instant.parse("2026-01-31T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"));
            return 5.0;
        });
        assertThat(b.check("a")).isPresent();
    }

    @Test
    void clientAdmissionChecksBudgetBeforeRateAndSettlesCost() {
        ClientLimits l = new ClientLimits(1, 0, 0.5, null);
        ClientAdmission adm = new ClientAdmission(new SpendBudget(Map.of("a", l), clock),
                new ClientRateLimiter(Map.of("a", l), clock::nanoTime),
                new Pricing(Map.of("m", new Pricing.Price(1_000_000, 0))));
        assertThat(adm.admit("a", 1)).isEmpty();
        double cost = adm.settle("a", "p", "m", "alias", 1, 1, 0);
        assertThat(cost).isEqualTo(1.0);
        assertThat(adm.admit("a", 1).orElseThrow().status()).as("402 wins over 429").isEqualTo(402);
    }
}
