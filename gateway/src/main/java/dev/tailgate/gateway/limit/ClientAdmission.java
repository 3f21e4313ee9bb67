package dev.tailgate.gateway.limit;

import dev.tailgate.wire.ApiError;
import java.util.Optional;

/**
 * The per-client gate run after auth and before routing: budget first (402: retrying soon will not help), then rate
 * (429 with Retry-After). {@link #settle} after the request feeds real usage back.
 */
public final class ClientAdmission {
    private final SpendBudget budget;
    private final ClientRateLimiter rate;
    private final Pricing pricing;

    public ClientAdmission(SpendBudget budget, ClientRateLimiter rate, Pricing pricing) {
        this.budget = budget;
        this.rate = rate;
        this.pricing = pricing;
    }

    public Optional<ApiError> admit(String client, long estimatedPromptTokens) {
        Optional<ApiError> over = budget.check(client);
        if (over.isPresent()) return over;
        return rate.tryAdmit(client, estimatedPromptTokens);
    }

    /** Returns the request's cost in USD (for the ledger row). */
    public double settle(String client, String provider, String upstreamModel, String alias,
                         long estimatedPromptTokens, long promptTokens, long completionTokens) {
        rate.settle(client, estimatedPromptTokens, promptTokens + completionTokens);
        double cost = pricing.costUsd(provider, upstreamModel, alias, promptTokens, completionTokens);
        budget.record(client, cost);
        return cost;
    }

    public Pricing pricing() {
        return pricing;
    }
}
