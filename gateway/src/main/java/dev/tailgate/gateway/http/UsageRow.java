package dev.tailgate.gateway.http;

import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.observe.RequestListener;
import dev.tailgate.gateway.observe.RequestOutcome;
import dev.tailgate.gateway.policy.PolicyRuntime;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a model request's usage row (and settles its cost): before the response's last write, so a client holding
 * the whole answer finds it in the ledger; or at the end when the request ended without one (a refusal written
 * directly, a client that left). {@link PolicyRuntime#finished} writes one row per request however often it is asked.
 */
final class UsageRow implements RequestListener {
    private final PolicyRuntime policy;

    UsageRow(PolicyRuntime policy) {
        this.policy = policy;
    }

    @Override
    public CompletableFuture<Void> beforeLastWrite(RequestContext ctx, int status, long nanos) {
        return policy.finished(ctx, status, nanos, false);
    }

    @Override
    public void finished(RequestContext ctx, RequestOutcome outcome) {
        policy.finished(ctx, outcome.status(), outcome.nanos(), outcome.clientGone());
    }
}
