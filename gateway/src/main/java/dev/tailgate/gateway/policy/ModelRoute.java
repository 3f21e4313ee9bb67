package dev.tailgate.gateway.policy;

import java.util.List;
import java.util.Objects;

/**
 * A model alias as configured under {@code models:}.
 *
 * @param privateModel the model's {@code private: true}: every request for it stays on local providers
 * @param fallback     the model's {@code fallback: true}: may move past the first target
 * @param targets      in order of preference
 */
public record ModelRoute(String alias, boolean privateModel, boolean fallback, List<RouteTarget> targets) {
    public ModelRoute {
        Objects.requireNonNull(alias, "alias");
        targets = List.copyOf(targets);
    }
}
