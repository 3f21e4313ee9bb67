package dev.tailgate.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random interleavings of acquire / release / abandon / time passing against a model of what must hold: never more
 * than max in flight, never more than max_queue waiting, grants in FIFO order, and after everyone lets go, nothing is
 * left held or queued.
 */
class ProviderLimiterPropertyTest {
    enum Op { ACQUIRE, RELEASE_OLDEST, RELEASE_NEWEST, ABANDON_WAITER, ABANDON_ANY, TICK }

    @Property(tries = 500)
    void invariantsHoldUnderAnyInterleaving(@ForAll @IntRange(min = 1, max = 4) int maxConcurrency,
                                            @ForAll @IntRange(min = 0, max = 4) int maxQueue,
                                            @ForAll @Size(max = 60) List<Op> ops) {
        ManualTimers timers = new ManualTimers();
        ProviderLimiter l = new ProviderLimiter("p", maxConcurrency, maxQueue, Duration.ofSeconds(3), timers);
        List<CompletableFuture<Permit>> all = new ArrayList<>();
        List<Integer> grantOrder = new ArrayList<>();
        List<Permit> held = new ArrayList<>();

        for (Op op : ops) {
            switch (op) {
                case ACQUIRE -> {
                    int id = all.size();
                    CompletableFuture<Permit> f = l.acquire();
                    all.add(f);
                    f.thenAccept(p -> {
                        grantOrder.add(id);
                        held.add(p);
                    });
                }
                case RELEASE_OLDEST -> {
                    if (!held.isEmpty()) held.removeFirst().release();
                }
                case RELEASE_NEWEST -> {
                    if (!held.isEmpty()) held.removeLast().release();
                }
                case ABANDON_WAITER -> all.stream().filter(f -> !f.isDone()).findFirst().ifPresent(ProviderLimiter::abandon);
                case ABANDON_ANY -> {
                    if (!all.isEmpty()) {
                        CompletableFuture<Permit> f = all.get(all.size() / 2);
                        boolean wasHeld = f.isDone() && !f.isCompletedExceptionally();
                        ProviderLimiter.abandon(f);
                        if (wasHeld) held.remove(f.join());
                    }
                }
                case TICK -> timers.advance(Duration.ofSeconds(1));
            }
            assertThat(l.inFlight()).isLessThanOrEqualTo(maxConcurrency).isEqualTo(held.size());
            assertThat(l.queued()).isLessThanOrEqualTo(maxQueue);
            long waiting = all.stream().filter(f -> !f.isDone()).count();
            assertThat(l.queued()).isEqualTo((int) waiting);
        }
        // FIFO: grants happen in request order.
        assertThat(grantOrder).isSorted();
        // Everyone lets go: nothing leaks.
        all.forEach(ProviderLimiter::abandon);
        new ArrayList<>(held).forEach(Permit::release);
        assertThat(l.inFlight()).isZero();
        assertThat(l.queued()).isZero();
    }
}
