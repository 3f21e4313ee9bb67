package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.health.BreakerSettings;
import dev.tailgate.gateway.health.BreakerState;
import dev.tailgate.gateway.health.HealthRegistry;
import dev.tailgate.testing.MutableClock;
import dev.tailgate.gateway.limit.AdmissionControl;
import dev.tailgate.gateway.limit.Permit;
import dev.tailgate.gateway.limit.ProviderLimits;
import dev.tailgate.gateway.limit.Timers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RouteAttemptsTest {
    private static final Timers NEVER = (delay, task) -> () -> {};
    private final MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
    private final BreakerSettings settings =
            new BreakerSettings(1, 0.5, 10, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(10));
    private final RouteTarget local = RouteTarget.of("local", "qwen", true);
    private final RouteTarget ext = RouteTarget.of("deepseek", "deepseek-chat", false);
    private final HealthRegistry health;
    private final AdmissionControl admission;

    RouteAttemptsTest() {
        Map<String, Boolean> flags = new LinkedHashMap<>();
        flags.put("local", true);
        flags.put("deepseek", false);
        health = new HealthRegistry(flags, settings, clock);
        admission = new AdmissionControl(Map.of(
                "local", new ProviderLimits(1, 1, Duration.ofSeconds(5)),
                "deepseek", new ProviderLimits(1, 0, Duration.ofSeconds(5))), NEVER);
    }

    private RoutePlan plan(boolean priv, boolean fallback) {
        return RoutingPolicy.plan(new RouteRequest("r", "c", priv, false, "qwen", Capability.CHAT, 1),
                new ModelRoute("qwen", false, fallback, List.of(local, ext)), HealthView.ALL_HEALTHY);
    }

    private int inFlight(String p) {
        return admission.limiter(p).orElseThrow().inFlight();
    }

    @Test
    void failureBeforeFirstByteFallsBackAndFeedsTheBreaker() {
        RouteAttempts tries = new RouteAttempts(plan(false, true), health, admission);
        RouteAttempts.Lease first = tries.next().join().orElseThrow();
        assertThat(first.target()).isEqualTo(local);
        assertThat(inFlight("local")).isEqualTo(1);
        first.failed("connection refused");
        assertThat(inFlight("local")).isZero();
        assertThat(health.provider("local").orElseThrow().breaker().state()).isEqualTo(BreakerState.OPEN);
        assertThat(health.provider("local").orElseThrow().lastError()).isEqualTo("connection refused");
        assertThat(tries.hasMore()).isTrue();
        RouteAttempts.Lease second = tries.next().join().orElseThrow();
        assertThat(second.target()).isEqualTo(ext);
        second.succeeded();
        second.failed("late"); // ignored: one outcome per lease
        assertThat(inFlight("deepseek")).isZero();
        assertThat(health.provider("deepseek").orElseThrow().breaker().state()).isEqualTo(BreakerState.CLOSED);
        assertThat(tries.next().join()).isEmpty();
    }

    @Test
    void privateRequestWhoseLocalFailsNeverGetsAnExternalLease() {
        RouteAttempts tries = new RouteAttempts(plan(true, true), health, admission);
        tries.next().join().orElseThrow().failed("HTTP 500");
        assertThat(tries.hasMore()).isFalse();
        assertThat(tries.next().join()).isEmpty();
        assertThat(tries.exhausted().code()).isEqualTo("no_private_route");
        assertThat(inFlight("deepseek")).isZero();
    }

    @Test
    void openBreakerAtExecutionTimeIsSkipped() {
        RoutePlan p = plan(false, true); // planned while healthy
        health.provider("local").orElseThrow().begin().orElseThrow().retryAfter(Duration.ofSeconds(30));
        RouteAttempts tries = new RouteAttempts(p, health, admission);
        assertThat(tries.next().join().orElseThrow().target()).isEqualTo(ext);
    }

    @Test
    void halfOpenTrialGoesToOneRequestOnly() {
        health.provider("local").orElseThrow().begin().orElseThrow().failure();
        clock.advance(Duration.ofSeconds(30));
        RouteAttempts a = new RouteAttempts(plan(true, true), health, admission);
        RouteAttempts b = new RouteAttempts(plan(true, true), health, admission);
        RouteAttempts.Lease trial = a.next().join().orElseThrow();
        assertThat(b.next().join()).isEmpty();
        assertThat(b.exhausted().code()).isEqualTo("no_private_route");
        trial.succeeded();
        assertThat(health.provider("local").orElseThrow().breaker().state()).isEqualTo(BreakerState.CLOSED);
    }

    @Test
    void aFullQueueAtExecutionTimeFallsBackThenReportsQueueFull() {
        Permit localHeld = admission.acquire("local").join();
        CompletableFuture<Permit> localQueued = admission.acquire("local"); // fills local's queue of 1
        Permit extHeld = admission.acquire("deepseek").join();
        RouteAttempts tries = new RouteAttempts(plan(false, true), health, admission);
        assertThat(tries.next().join()).isEmpty();
        assertThat(tries.exhausted().code()).isEqualTo("queue_full");
        assertThat(tries.exhausted().retryAfterHeader()).isNotNull();
        assertThat(health.provider("local").orElseThrow().breaker().state()).as("a local refusal is no verdict").isEqualTo(BreakerState.CLOSED);
        localHeld.release();
        localQueued.join().release();
        extHeld.release();
    }

    @Test
    void abandoningWhileQueuedLeavesTheQueueAndFreesTheTrial() {
        Permit held = admission.acquire("local").join();
        RouteAttempts tries = new RouteAttempts(plan(true, true), health, admission);
        CompletableFuture<Optional<RouteAttempts.Lease>> waiting = tries.next();
        assertThat(waiting).isNotDone();
        assertThat(admission.limiter("local").orElseThrow().queued()).isEqualTo(1);
        tries.abandon();
        assertThat(waiting.join()).isEmpty();
        assertThat(admission.limiter("local").orElseThrow().queued()).isZero();
        held.release();
        assertThat(inFlight("local")).isZero();
    }

    @Test
    void abandoningAnActiveLeaseReleasesItsSlot() {
        RouteAttempts tries = new RouteAttempts(plan(false, false), health, admission);
        tries.next().join().orElseThrow();
        assertThat(inFlight("local")).isEqualTo(1);
        tries.abandon();
        assertThat(inFlight("local")).isZero();
        assertThat(health.provider("local").orElseThrow().breaker().state()).isEqualTo(BreakerState.CLOSED);
    }
}
