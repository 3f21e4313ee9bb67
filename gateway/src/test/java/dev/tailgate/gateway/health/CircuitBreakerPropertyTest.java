package dev.tailgate.gateway.health;

import dev.tailgate.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Random call outcomes and clock moves: the breaker never lets work through while open, and never two trials. */
class CircuitBreakerPropertyTest {
    enum Op { BEGIN, SUCCEED_OLDEST, FAIL_OLDEST, FAIL_NEWEST, CANCEL_NEWEST, TICK_5S, TICK_31S }

    @Property(tries = 500)
    void neverAdmitsWhileOpenAndAtMostOneTrial(@ForAll @Size(max = 80) List<Op> ops) {
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        BreakerSettings s = new BreakerSettings(3, 0.5, 6, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(2));
        CircuitBreaker b = new CircuitBreaker(s, clock);
        List<CircuitBreaker.Attempt> open = new ArrayList<>();
        for (Op op : ops) {
            switch (op) {
                case BEGIN -> {
                    BreakerState before = b.state();
                    var a = b.begin();
                    if (before == BreakerState.OPEN) assertThat(a).as("open circuit admits nothing").isEmpty();
                    if (before == BreakerState.CLOSED) assertThat(a).isPresent();
                    a.ifPresent(open::add);
                }
                case SUCCEED_OLDEST -> {
                    if (!open.isEmpty()) open.removeFirst().success();
                }
                case FAIL_OLDEST -> {
                    if (!open.isEmpty()) open.removeFirst().failure();
                }
                case FAIL_NEWEST -> {
                    if (!open.isEmpty()) open.removeLast().failure();
                }
                case CANCEL_NEWEST -> {
                    if (!open.isEmpty()) open.removeLast().cancel();
                }
                case TICK_5S -> clock.advance(Duration.ofSeconds(5));
                case TICK_31S -> clock.advance(Duration.ofSeconds(31));
            }
            if (b.state() == BreakerState.OPEN) {
                assertThat(b.openUntil()).isAfter(clock.instant());
                assertThat(b.wouldAdmit()).isFalse();
            }
            if (b.state() == BreakerState.HALF_OPEN) {
                if (b.wouldAdmit()) {
                    var t = b.begin().orElseThrow();
                    assertThat(t.isTrial()).isTrue();
                    assertThat(b.begin()).as("second trial in the same round").isEmpty();
                    open.add(t);
                }
            }
        }
    }
}
