package dev.tailgate.gateway.health;

import dev.tailgate.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CircuitBreakerTest {
    private final MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
    private final BreakerSettings settings =
            new BreakerSettings(3, 0.5, 10, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(10));
    private final CircuitBreaker breaker = new CircuitBreaker(settings, clock);

    private void fail(int n) {
        for (int i = 0; i < n; i++) breaker.begin().orElseThrow().failure();
    }

    @Test
    void opensAfterConsecutiveFailuresAndRefusesUntilCoolDown() {
        fail(2);
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        fail(1);
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
        assertThat(breaker.begin()).isEmpty();
        clock.advance(Duration.ofSeconds(29));
        assertThat(breaker.begin()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN);
    }

    @Test
    void aSuccessInBetweenResetsTheConsecutiveCount() {
        fail(2);
        breaker.begin().orElseThrow().success();
        fail(2);
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void opensOnErrorRateOverTheWindow() {
        // alternate success/failure: never 3 in a row, but 50% of 10 calls failed
        for (int i = 0; i < 10; i++) {
            var a = breaker.begin().orElseThrow();
            if (i % 2 == 0) a.failure(); else a.success();
        }
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
    }

    @Test
    void oldCallsLeaveTheWindow() {
        for (int i = 0; i < 8; i++) {
            var a = breaker.begin().orElseThrow();
            if (i % 2 == 0) a.failure(); else a.success();
        }
        clock.advance(Duration.ofSeconds(61)); // all 8 fall out of the window
        breaker.begin().orElseThrow().failure();
        breaker.begin().orElseThrow().success();
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.recentFailures()).isEqualTo(1);
    }

    @Test
    void halfOpenLetsExactlyOneTrialThroughAndClosesOnSuccess() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));
        var trial = breaker.begin().orElseThrow();
        assertThat(trial.isTrial()).isTrue();
        assertThat(breaker.begin()).as("second request while the trial is out").isEmpty();
        assertThat(breaker.wouldAdmit()).isFalse();
        trial.success();
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(breaker.begin()).isPresent();
    }

    @Test
    void failedTrialReopensForAnotherCoolDown() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));
        breaker.begin().orElseThrow().failure();
        assertThat(breaker.state()).isEqualTo(BreakerState.OPEN);
        clock.advance(Duration.ofSeconds(29));
        assertThat(breaker.begin()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(breaker.begin()).isPresent();
    }

    @Test
    void cancelledTrialFreesTheSlotWithoutAVerdict() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));
        breaker.begin().orElseThrow().cancel();
        assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN);
        var next = breaker.begin().orElseThrow();
        assertThat(next.isTrial()).isTrue();
    }

    @Test
    void staleOutcomesDoNotCloseTheCircuit() {
        var early = breaker.begin().orElseThrow(); // began while closed
        fail(3);
        clock.advance(Duration.ofSeconds(30));
        early.success(); // finishes late: not the trial
        assertThat(breaker.state()).isEqualTo(BreakerState.HALF_OPEN);
        var trial = breaker.begin().orElseThrow();
        assertThat(trial.isTrial()).isTrue();
        trial.success();
        trial.failure(); // a second outcome is ignored
        assertThat(breaker.state()).isEqualTo(BreakerState.CLOSED);
    }

}
