package dev.tailgate.gateway.config;

/** One entry of a model's {@code targets}: {@code provider/upstream-model} (the upstream model may itself contain '/'). */
public record Target(String provider, String upstreamModel) {
    @Override
    public String toString() {
        return provider + "/" + upstreamModel;
    }
}
