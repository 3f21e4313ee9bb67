package dev.tailgate.gateway.policy;

import java.util.Objects;
import java.util.Set;

/**
 * One {@code provider/upstream-model} entry of a model's {@code targets}, with what the policy needs to know about it.
 *
 * @param local         the provider's {@code local: true} flag: only such providers may see private work
 * @param contextWindow the upstream model's context in tokens, or null when unknown (then any prompt "fits")
 * @param capabilities  what the upstream model can do; empty means unknown (assumed able, e.g. a hosted provider)
 */
public record RouteTarget(String provider, String upstreamModel, boolean local, Integer contextWindow, Set<Capability> capabilities) {

    public RouteTarget {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(upstreamModel, "upstreamModel");
        capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
        if (contextWindow != null && contextWindow <= 0) contextWindow = null;
    }

    public static RouteTarget of(String provider, String upstreamModel, boolean local) {
        return new RouteTarget(provider, upstreamModel, local, null, Set.of());
    }

    /** Parses the config spelling {@code provider/upstream-model}; the model part may itself contain slashes. */
    public static RouteTarget parse(String spec, boolean local, Integer contextWindow, Set<Capability> capabilities) {
        int slash = spec == null ? -1 : spec.indexOf('/');
        if (slash <= 0 || slash == spec.length() - 1) {
            throw new IllegalArgumentException("target '" + spec + "' is not of the form provider/upstream-model");
        }
        return new RouteTarget(spec.substring(0, slash), spec.substring(slash + 1), local, contextWindow, capabilities);
    }

    public boolean can(Capability needed) {
        return needed == null || capabilities.isEmpty() || capabilities.contains(needed);
    }

    /** {@code provider/upstream-model}, as written in the config and in audit rows. */
    public String id() {
        return provider + "/" + upstreamModel;
    }

    @Override
    public String toString() {
        return id();
    }
}
