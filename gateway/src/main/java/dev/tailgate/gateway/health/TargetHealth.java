package dev.tailgate.gateway.health;

import java.time.Duration;

/**
 * Whether a target can take a request right now, as far as health knows.
 *
 * @param usable      false routes around the target
 * @param reason      why not (or a note such as "degraded"), for audit rows and /status; null when healthy
 * @param soft        only for unusable targets: the target works but is busy (it would queue), or its provider is the
 *                    authority on the model's state (qwen-local). The policy then prefers any other candidate, but
 *                    keeps this one as a last resort instead of refusing the request.
 * @param retryAfter  for unusable targets: how long until it may take work again (circuit cool-down left, upstream
 *                    Retry-After pause left); null when unknown
 * @param rateLimited the target is paused because its upstream answered 429 with Retry-After
 */
public record TargetHealth(boolean usable, String reason, boolean soft, Duration retryAfter, boolean rateLimited) {
    public static final TargetHealth OK = new TargetHealth(true, null, false, null, false);

    public static TargetHealth unusable(String reason) {
        return new TargetHealth(false, reason, false, null, false);
    }

    /** Unusable for another {@code left}. */
    public static TargetHealth unusableFor(String reason, Duration left) {
        return new TargetHealth(false, reason, false, left, false);
    }

    /** Paused by the upstream's own Retry-After; {@code rateLimited} when that came with a 429. */
    public static TargetHealth paused(String reason, Duration left, boolean rateLimited) {
        return new TargetHealth(false, reason, false, left, rateLimited);
    }

    /**
     * The last probe says the model cannot serve (file missing, not listed), but the provider is the authority and
     * answers for itself: try others first, then ask it — a freshly pulled model serves at once instead of being
     * refused until the next probe, and a still-missing one gets the provider's own answer.
     */
    public static TargetHealth askProvider(String reason) {
        return new TargetHealth(false, reason, true, null, false);
    }

    /** Busy but working: try others first, this one last. */
    public static TargetHealth busy(String reason) {
        return new TargetHealth(false, reason, true, null, false);
    }
}
