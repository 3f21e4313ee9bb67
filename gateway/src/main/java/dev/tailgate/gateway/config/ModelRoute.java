package dev.tailgate.gateway.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model id clients send ({@code alias}) and where it may go, as routing uses it: built once when the config is
 * loaded (and again on reload).
 *
 * @param targets     in order of preference
 * @param fallback    the model's {@code fallback: true}: may move past the first target
 * @param privateOnly the model's {@code private: true}: every request for it stays on local providers
 */
public record ModelRoute(String alias, List<Target> targets, boolean fallback, boolean privateOnly) {
    public ModelRoute {
        Objects.requireNonNull(alias, "alias");
        targets = List.copyOf(targets);
    }

    /** This route with each target's {@code local} flag taken from {@code providers} (a missing provider is external). */
    ModelRoute withLocalFlags(Map<String, ProviderConfig> providers) {
        List<Target> next = targets.stream().map(t -> {
            ProviderConfig p = providers.get(t.provider());
            return t.withLocal(p != null && p.local());
        }).toList();
        return next.equals(targets) ? this : new ModelRoute(alias, next, fallback, privateOnly);
    }
}
