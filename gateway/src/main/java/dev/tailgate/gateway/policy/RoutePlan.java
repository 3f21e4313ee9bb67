package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.config.Target;
import dev.tailgate.wire.ApiError;
import java.util.List;
import java.util.Optional;

/**
 * The policy's decision for one request: the candidates to try in order (try the next only on a failure before the
 * first byte) and why every other target was left out. An empty plan carries the refusal to send instead.
 *
 * <p>Invariant, checked here as a last line of defence: a private plan never holds a non-local candidate. The relay
 * must only ever send to {@link #candidates()}; it must never pick targets from the config itself.
 */
public record RoutePlan(RouteRequest request, String modelAlias, boolean privateRequest,
                        List<Target> candidates, List<Rejection> rejected, ApiError refusal) {

    public RoutePlan {
        candidates = List.copyOf(candidates);
        rejected = List.copyOf(rejected);
        if (privateRequest) {
            for (Target t : candidates) {
                if (!t.local()) throw new IllegalStateException("private plan holds external target " + t.id());
            }
        }
        if (candidates.isEmpty() == (refusal == null)) {
            throw new IllegalStateException("a plan has either candidates or a refusal");
        }
    }

    public boolean routable() {
        return !candidates.isEmpty();
    }

    public Optional<Target> chosen() {
        return candidates.isEmpty() ? Optional.empty() : Optional.of(candidates.getFirst());
    }

    /**
     * Guard for the relay right before it opens a connection: true only for a target of this plan.
     * Cheap, and makes "the relay sent a private request elsewhere" impossible to do by accident.
     */
    public boolean permits(Target target) {
        return candidates.contains(target);
    }
}
