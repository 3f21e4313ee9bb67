package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.config.Target;
import java.time.Duration;

/**
 * A target the policy did not choose, and why (detail is human-readable, never a secret or prompt text).
 * {@code retryAfter}: how long until the target may take work again, when health knows; {@code rateLimited}: it is
 * paused by its upstream's 429.
 */
public record Rejection(Target target, RejectReason reason, String detail, Duration retryAfter, boolean rateLimited) {
    public Rejection(Target target, RejectReason reason, String detail) {
        this(target, reason, detail, null, false);
    }

    /** Only the operator can change it (a capability the model lacks): retrying cannot help. */
    public boolean needsOperator() {
        return reason == RejectReason.CAPABILITY_MISSING;
    }
}
