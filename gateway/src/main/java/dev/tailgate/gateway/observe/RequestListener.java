package dev.tailgate.gateway.observe;

import dev.tailgate.gateway.RequestContext;
import java.util.concurrent.CompletableFuture;

/**
 * Hears the stages of every client request (access log, usage row, metrics). A {@link RequestLifecycle} calls its
 * listeners in the order they were given, on the request's event loop; a listener must not block.
 */
public interface RequestListener {
    /** The request arrived (before authentication and routing). */
    default void started(RequestContext ctx) {}

    /**
     * The response's last write is about to go out: what must be durable once the client has the whole answer (the
     * usage row). The future completes when it is; null when there is nothing to wait for.
     */
    default CompletableFuture<Void> beforeLastWrite(RequestContext ctx, int status, long nanos) {
        return null;
    }

    /** Exactly once per request: the response ended, or the client went away first ({@code outcome.clientGone()}). */
    default void finished(RequestContext ctx, RequestOutcome outcome) {}
}
