package dev.tailgate.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.wire.ApiError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ProviderLimiterTest {
    private final ManualTimers timers = new ManualTimers();
    private final ProviderLimiter limiter = new ProviderLimiter("local", 2, 2, Duration.ofSeconds(10), timers);

    private static ApiError refusal(CompletableFuture<Permit> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
            throw new AssertionError("not refused");
        } catch (java.util.concurrent.CompletionException e) {
            return ((AdmissionRefusedException) e.getCause()).error();
        }
    }

    @Test
    void grantsUpToMaxConcurrencyThenQueuesThenRefusesWithRetryAfter() {
        var a = limiter.acquire();
        var b = limiter.acquire();
        var c = limiter.acquire();
        var d = limiter.acquire();
        var e = limiter.acquire();
        assertThat(a).isCompleted();
        assertThat(b).isCompleted();
        assertThat(c).isNotDone();
        assertThat(d).isNotDone();
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(limiter.queued()).isEqualTo(2);
        assertThat(limiter.saturated()).isTrue();
        ApiError err = refusal(e);
        assertThat(err.status()).isEqualTo(429);
        assertThat(err.code()).isEqualTo("queue_full");
        assertThat(err.retryAfterHeader()).isEqualTo("10");
    }

    @Test
    void releaseHandsTheSlotToTheOldestWaiter() {
        var a = limiter.acquire().join();
        limiter.acquire().join();
        var c = limiter.acquire();
        var d = limiter.acquire();
        a.release();
        assertThat(c).isCompleted();
        assertThat(d).isNotDone();
        a.release(); // twice: ignored, must not free a second slot
        assertThat(d).isNotDone();
        assertThat(limiter.inFlight()).isEqualTo(2);
        c.join().release();
        assertThat(d).isCompleted();
        assertThat(timers.live()).as("granted waiters' timers are cancelled").isZero();
    }

    @Test
    void waiterTimesOutWithQueueFullAndLeavesTheQueue() {
        limiter.acquire().join();
        limiter.acquire().join();
        var c = limiter.acquire();
        timers.advance(Duration.ofSeconds(9));
        assertThat(c).isNotDone();
        timers.advance(Duration.ofSeconds(1));
        ApiError err = refusal(c);
        assertThat(err.code()).isEqualTo("queue_full");
        assertThat(err.retryAfterHeader()).isNotNull();
        assertThat(limiter.queued()).isZero();
        assertThat(limiter.inFlight()).isEqualTo(2);
    }

    @Test
    void cancelledWaiterLeavesTheQueueAndNeverTakesASlot() {
        var a = limiter.acquire().join();
        limiter.acquire().join();
        var c = limiter.acquire();
        var d = limiter.acquire();
        ProviderLimiter.abandon(c); // client disconnected while waiting
        assertThat(c).isCancelled();
        assertThat(limiter.queued()).isEqualTo(1);
        a.release();
        assertThat(d).isCompleted();
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(timers.live()).isZero();
    }

    @Test
    void abandoningAGrantedPermitReleasesIt() {
        var a = limiter.acquire();
        ProviderLimiter.abandon(a);
        assertThat(limiter.inFlight()).isZero();
        ProviderLimiter.abandon(a); // idempotent
        assertThat(limiter.inFlight()).isZero();
    }

    @Test
    void zeroQueueRefusesAtOnce() {
        ProviderLimiter noQueue = new ProviderLimiter("p", 1, 0, Duration.ofSeconds(1), timers);
        noQueue.acquire().join();
        assertThat(refusal(noQueue.acquire()).code()).isEqualTo("queue_full");
    }

    @Test
    void concurrencyIsNeverExceededUnderContentionAndNothingLeaks() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        var pool = Executors.newFixedThreadPool(8);
        try {
            ProviderLimiter l = new ProviderLimiter("p", 3, 50, Duration.ofSeconds(30), Timers.of(scheduler));
            AtomicInteger now = new AtomicInteger();
            AtomicInteger peak = new AtomicInteger();
            AtomicInteger served = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger abandoned = new AtomicInteger();
            int total = 2_000;
            CountDownLatch done = new CountDownLatch(total);
            for (int i = 0; i < total; i++) {
                final int n = i;
                pool.execute(() -> {
                    CompletableFuture<Permit> f = l.acquire();
                    if (n % 7 == 0) { // a client that goes away at a random moment
                        ProviderLimiter.abandon(f);
                        abandoned.incrementAndGet();
                        done.countDown();
                        return;
                    }
                    f.whenComplete((permit, err) -> {
                        if (err != null) {
                            refused.incrementAndGet();
                        } else {
                            int in = now.incrementAndGet();
                            peak.accumulateAndGet(in, Math::max);
                            Thread.onSpinWait();
                            now.decrementAndGet();
                            served.incrementAndGet();
                            permit.release();
                        }
                        done.countDown();
                    });
                });
            }
            assertThat(done.await(15, TimeUnit.SECONDS)).isTrue();
            assertThat(peak.get()).isLessThanOrEqualTo(3);
            assertThat(served.get() + refused.get() + abandoned.get()).isEqualTo(total);
            assertThat(l.inFlight()).isZero();
            assertThat(l.queued()).isZero();
        } finally {
            pool.shutdownNow();
            scheduler.shutdownNow();
        }
    }

    @Test
    void aRefusedFutureCarriesTheErrorNotAStackTrace() {
        ProviderLimiter one = new ProviderLimiter("p", 1, 0, Duration.ofSeconds(1), timers);
        one.acquire().join();
        var f = one.acquire();
        try {
            f.get();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(AdmissionRefusedException.class);
            assertThat(e.getCause().getStackTrace()).isEmpty();
            return;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void reconfigureWiderAdmitsWaitersAtOnce() {
        limiter.acquire().join();
        limiter.acquire().join();
        var c = limiter.acquire();
        limiter.reconfigure(3, 0);
        assertThat(c).isCompleted();
        assertThat(limiter.inFlight()).isEqualTo(3);
        assertThat(refusal(limiter.acquire()).code()).isEqualTo("queue_full");
    }

    @Test
    void settingsAreValidated() {
        List<Runnable> bad = new ArrayList<>();
        bad.add(() -> new ProviderLimiter("p", 0, 1, Duration.ofSeconds(1), timers));
        bad.add(() -> new ProviderLimiter("p", 1, -1, Duration.ofSeconds(1), timers));
        bad.add(() -> new ProviderLimiter("p", 1, 1, Duration.ZERO, timers));
        for (Runnable r : bad) {
            org.assertj.core.api.Assertions.assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
