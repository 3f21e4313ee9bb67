package dev.tailgate.gateway.health;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * One upstream model's state as the provider reports it (qwen-local's {@code /status}: unloaded, loading, ready, busy,
 * stuck, failed, unavailable, downloading), and its own limits when reported ({@code max_concurrency}, {@code max_queue}; null
 * otherwise), which the gateway's per-model limiter mirrors. {@code downloadEta}: for a downloading model, the time
 * left that qwen-local estimated ({@code download.eta_seconds}) when it was probed; null when it did not know.
 */
public record ModelStatus(String id, String state, String reason, String capability, Integer maxConcurrency, Integer maxQueue,
                          Duration downloadEta) {
    /**
     * States that mean "do not send work here now": the policy routes around them. {@code downloading} (qwen-local is
     * fetching the missing file) is temporary: a refusal for it carries Retry-After, unlike {@link #needsOperator()}.
     */
    private static final Set<String> UNROUTABLE = Set.of("busy", "stuck", "failed", "unavailable", "downloading");

    public boolean routable() {
        return state == null || !UNROUTABLE.contains(state.toLowerCase(Locale.ROOT));
    }

    /** Unavailable (qwen-local: the model file is missing): only the operator can fix it. */
    public boolean needsOperator() {
        return "unavailable".equalsIgnoreCase(state);
    }

    /** Downloading (qwen-local is fetching the missing file): temporary, and {@link #downloadEta} may say how long. */
    public boolean downloading() {
        return "downloading".equalsIgnoreCase(state);
    }

    /** Busy: working and queueing, not broken. The policy tries other targets first but keeps this one as a last resort. */
    public boolean busy() {
        return "busy".equalsIgnoreCase(state);
    }
}
