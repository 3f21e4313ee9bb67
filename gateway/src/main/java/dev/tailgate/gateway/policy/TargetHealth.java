package dev.tailgate.gateway.policy;

/**
 * Whether a target can take a request right now, as far as health knows.
 *
 * @param usable false routes around the target
 * @param reason why not (or a note such as "degraded"), for audit rows and /status; null when healthy
 * @param soft   only for unusable targets: the target works but is busy (it would queue). The policy then prefers
 *               any other candidate, but keeps this one as a last resort instead of refusing the request.
 */
public record TargetHealth(boolean usable, String reason, boolean soft) {
    public static final TargetHealth OK = new TargetHealth(true, null, false);

    public TargetHealth(boolean usable, String reason) {
        this(usable, reason, false);
    }

    public static TargetHealth unusable(String reason) {
        return new TargetHealth(false, reason, false);
    }

    /** Busy but working: try others first, this one last. */
    public static TargetHealth busy(String reason) {
        return new TargetHealth(false, reason, true);
    }
}
