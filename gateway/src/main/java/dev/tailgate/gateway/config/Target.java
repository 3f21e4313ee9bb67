package dev.tailgate.gateway.config;

import java.util.Objects;
import java.util.Set;

/**
 * One entry of a model's {@code targets}: {@code provider/upstream-model} (the upstream model may itself contain '/'),
 * with what routing needs to know about it. Built once by {@link ConfigLoader} (and again on reload), never per request;
 * facts that change at run time (a local model's state, its mirrored limits) live on the health side.
 *
 * <p>{@code local}: the provider's {@code local: true} flag, so only such targets may see private work.
 * {@code contextWindow}: from the model's {@code context_windows}, or null when unknown (then any prompt "fits").
 * {@code capabilities}: from the model's {@code capability}; empty means unknown (assumed able, never a reason to skip).
 */
public final class Target {
    private final String provider;
    private final String upstreamModel;
    private final boolean local;
    private final Integer contextWindow;
    private final Set<Capability> capabilities;
    /** {@code provider/upstream-model}, kept because audit rows and error messages name it on every request. */
    private final String id;

    public Target(String provider, String upstreamModel, boolean local, Integer contextWindow, Set<Capability> capabilities) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.upstreamModel = Objects.requireNonNull(upstreamModel, "upstreamModel");
        this.local = local;
        this.contextWindow = contextWindow != null && contextWindow <= 0 ? null : contextWindow;
        this.capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
        this.id = provider + "/" + upstreamModel;
    }

    /** A target with nothing known about its size or capabilities. */
    public static Target of(String provider, String upstreamModel, boolean local) {
        return new Target(provider, upstreamModel, local, null, Set.of());
    }

    public String provider() { return provider; }
    public String upstreamModel() { return upstreamModel; }
    public boolean local() { return local; }
    public Integer contextWindow() { return contextWindow; }
    public Set<Capability> capabilities() { return capabilities; }

    /** {@code provider/upstream-model}, as written in the config and in audit rows. */
    public String id() { return id; }

    /** Whether this target can do {@code needed}; an unknown capability set can do anything. */
    public boolean can(Capability needed) {
        return needed == null || capabilities.isEmpty() || capabilities.contains(needed);
    }

    /** This target with another {@code local} flag (a provider's flag changed after the config was loaded). */
    Target withLocal(boolean isLocal) {
        return isLocal == local ? this : new Target(provider, upstreamModel, isLocal, contextWindow, capabilities);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && local == t.local && id.equals(t.id) && provider.equals(t.provider)
                && Objects.equals(contextWindow, t.contextWindow) && capabilities.equals(t.capabilities);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return id;
    }
}
