package dev.tailgate.gateway.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A passive circuit breaker for one provider, fed by the outcomes of real requests.
 *
 * <pre>
 * CLOSED --(N failures in a row, or error rate over the window)--> OPEN(until now + cool-down)
 * OPEN   --(clock passes "until")--> HALF_OPEN: the next {@link #begin()} gets the one trial, others get nothing
 * HALF_OPEN --trial succeeds--> CLOSED (counters reset)      HALF_OPEN --trial fails--> OPEN again
 * </pre>
 *
 * Outcomes of requests that began before the circuit opened still count in the window but never close it: only the
 * trial decides. A cancelled trial (client went away) frees the trial slot without judging the provider.
 * An upstream's Retry-After is not a breaker matter: it pauses one upstream model ({@link ProviderHealth#pause}).
 * The clock is injected; state moves lazily when asked, so no timer is needed.
 */
public final class CircuitBreaker {
    private final BreakerSettings settings;
    private final Clock clock;

    private BreakerState state = BreakerState.CLOSED;
    private Instant openUntil = Instant.MIN;
    private boolean trialInFlight;
    /** Bumped whenever the circuit opens: a trial from an earlier half-open round can then no longer decide anything. */
    private long generation;
    private int consecutiveFailures;
    private final ArrayDeque<Outcome> window = new ArrayDeque<>();
    /** Failed outcomes in {@link #window}, kept with it: counting them on every call cost a walk of up to 1,000 entries per request. */
    private int failedInWindow;

    private record Outcome(Instant at, boolean failed) {}

    public CircuitBreaker(BreakerSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public synchronized BreakerState state() {
        advance();
        return state;
    }

    /** When an open circuit will let a trial through; meaningful in OPEN only. */
    public synchronized Instant openUntil() {
        return openUntil;
    }

    /** True when {@link #begin()} would hand out an attempt now (used by the health view, which must not take the trial). */
    public synchronized boolean wouldAdmit() {
        advance();
        return state == BreakerState.CLOSED || state == BreakerState.HALF_OPEN && !trialInFlight;
    }

    /**
     * Starts a request through this breaker. Empty when the circuit is open, or half-open with its one trial already
     * out: the caller then moves on to its next candidate. Every attempt must end in exactly one of
     * success / failure / cancel (later calls are ignored).
     */
    public synchronized Optional<Attempt> begin() {
        advance();
        switch (state) {
            case CLOSED:
                return Optional.of(new Attempt(false, generation));
            case HALF_OPEN:
                if (trialInFlight) return Optional.empty();
                trialInFlight = true;
                return Optional.of(new Attempt(true, generation));
            default:
                return Optional.empty();
        }
    }

    /** Failures and calls in the current window, for /status ("degraded" when any failed). */
    public synchronized int recentFailures() {
        prune(clock.instant());
        return failedInWindow;
    }

    private void advance() {
        if (state == BreakerState.OPEN && !clock.instant().isBefore(openUntil)) {
            state = BreakerState.HALF_OPEN;
            trialInFlight = false;
        }
    }

    private void prune(Instant now) {
        Instant oldest = now.minus(settings.window());
        while (!window.isEmpty() && window.peekFirst().at().isBefore(oldest)) dropOldest();
        // Bound memory even under a flood inside one window: the rate only needs a fair sample.
        while (window.size() > 1_000) dropOldest();
    }

    private void record(Instant now, boolean failed) {
        window.addLast(new Outcome(now, failed));
        if (failed) failedInWindow++;
    }

    private void dropOldest() {
        if (window.removeFirst().failed()) failedInWindow--;
    }

    private synchronized void onSuccess(boolean trial, long gen) {
        Instant now = clock.instant();
        advance();
        trial = trial && gen == generation;
        record(now, false);
        prune(now);
        if (trial) {
            trialInFlight = false;
            if (state == BreakerState.HALF_OPEN) close();
        } else if (state == BreakerState.CLOSED) {
            consecutiveFailures = 0;
            // The rate is judged on every call (like Resilience4j): F,S,F,S... reaches 50% on a success.
            if (rateTripped()) open(now.plus(settings.coolDown()));
        }
    }

    private boolean rateTripped() {
        return window.size() >= settings.minCallsInWindow() && failedInWindow >= settings.errorRate() * window.size();
    }

    private synchronized void onFailure(boolean trial, long gen) {
        Instant now = clock.instant();
        advance();
        trial = trial && gen == generation;
        record(now, true);
        prune(now);
        if (trial) {
            trialInFlight = false;
            if (state == BreakerState.HALF_OPEN) open(now.plus(settings.coolDown()));
            return;
        }
        if (state != BreakerState.CLOSED) return;
        consecutiveFailures++;
        if (consecutiveFailures >= settings.consecutiveFailures() || rateTripped()) open(now.plus(settings.coolDown()));
    }

    private synchronized void onCancel(boolean trial, long gen) {
        if (trial && gen == generation) trialInFlight = false;
    }

    private void open(Instant until) {
        state = BreakerState.OPEN;
        openUntil = until;
        trialInFlight = false;
        generation++;
        consecutiveFailures = 0;
    }

    private void close() {
        state = BreakerState.CLOSED;
        openUntil = Instant.MIN;
        consecutiveFailures = 0;
        window.clear();
        failedInWindow = 0;
    }

    /** One request through the breaker; the first of its outcome calls counts, the rest are ignored. */
    public final class Attempt {
        private final boolean trial;
        private final long gen;
        private final AtomicBoolean done = new AtomicBoolean();

        private Attempt(boolean trial, long gen) {
            this.trial = trial;
            this.gen = gen;
        }

        public boolean isTrial() {
            return trial;
        }

        public void success() {
            if (done.compareAndSet(false, true)) onSuccess(trial, gen);
        }

        /** A failure that says something about the provider: connect error, timeout, 5xx. Not a 4xx caused by the client. */
        public void failure() {
            if (done.compareAndSet(false, true)) onFailure(trial, gen);
        }

        /** The client went away or the request was refused locally: no verdict on the provider. */
        public void cancel() {
            if (done.compareAndSet(false, true)) onCancel(trial, gen);
        }
    }
}
