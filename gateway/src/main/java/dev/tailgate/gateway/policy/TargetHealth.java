package dev.tailgate.gateway.policy;

/**
 * Whether a target can take a request right now, as far as health knows.
 *
 * @param usable false routes around the target
 * @param reason why not (or a note such as "degraded"), for audit rows and /status; null when healthy
 */
public record TargetHealth(boolean usable, String reason) {
    public static final TargetHealth OK = new TargetHealth(true, null);

    public static TargetHealth unusable(String reason) {
        return new TargetHealth(false, reason);
    }
}
