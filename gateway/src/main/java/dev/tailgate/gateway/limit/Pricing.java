package dev.tailgate.gateway.limit;

import java.util.Map;

/**
 * Prices from the top-level config {@code pricing: {<model>: {input_per_million, output_per_million}}} (USD).
 * A model key may be {@code provider/upstream-model}, {@code upstream-model} or the client-facing alias; the most
 * specific match wins. An unpriced model costs 0 (local models usually are), so budgets only limit priced models.
 */
public final class Pricing {
    public record Price(double inputPerMillion, double outputPerMillion) {
        public Price {
            if (inputPerMillion < 0 || outputPerMillion < 0) throw new IllegalArgumentException("prices must be >= 0");
        }
    }

    public static final Pricing NONE = new Pricing(Map.of());

    private final Map<String, Price> byModel;

    public Pricing(Map<String, Price> byModel) {
        this.byModel = Map.copyOf(byModel);
    }

    public double costUsd(String provider, String upstreamModel, String alias, long promptTokens, long completionTokens) {
        // provider/upstreamModel are null for a request refused before a target was chosen (Map.copyOf refuses get(null))
        Price p = provider == null || upstreamModel == null ? null : byModel.get(provider + "/" + upstreamModel);
        if (p == null && upstreamModel != null) p = byModel.get(upstreamModel);
        if (p == null && alias != null) p = byModel.get(alias);
        if (p == null) return 0;
        return (Math.max(0, promptTokens) * p.inputPerMillion() + Math.max(0, completionTokens) * p.outputPerMillion()) / 1_000_000d;
    }

    /** Same prices (a config reload with changed prices restarts client admission). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Pricing other && byModel.equals(other.byModel);
    }

    @Override
    public int hashCode() {
        return byModel.hashCode();
    }
}
