package dev.tailgate.gateway.observe;

import dev.tailgate.gateway.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request's life as the gateway records it: started, the moment before the last write, finished. Owned by the
 * request's exchange, which reports the stages; what happens at each stage is the listeners' (called in order, each
 * stage's effect once however often it is reported: a response's end and its connection's close both report the end).
 * Not thread-safe: everything runs on the request's event loop.
 */
public final class RequestLifecycle {
    private final List<RequestListener> listeners;
    private final RequestContext ctx;
    private boolean beforeLastWrite;
    private boolean finished;

    public RequestLifecycle(List<RequestListener> listeners, RequestContext ctx) {
        this.listeners = listeners;
        this.ctx = ctx;
    }

    public RequestContext ctx() { return ctx; }

    public void started() {
        for (RequestListener l : listeners) l.started(ctx);
    }

    /**
     * The last write is about to go out (once; later calls, and calls after {@link #finished}, return null). The
     * future completes when every listener's work is durable; null when no listener has any.
     */
    public CompletableFuture<Void> beforeLastWrite(int status) {
        if (beforeLastWrite || finished) return null;
        beforeLastWrite = true;
        long nanos = System.nanoTime() - ctx.startNanos();
        CompletableFuture<Void> all = null;
        for (RequestListener l : listeners) {
            CompletableFuture<Void> f;
            try {
                f = l.beforeLastWrite(ctx, status, nanos);
            } catch (RuntimeException e) {
                f = null; // a failing listener must not hold the answer back
            }
            if (f == null || f.isDone()) continue;
            all = all == null ? f : CompletableFuture.allOf(all, f);
        }
        return all;
    }

    /** The request ended ({@code clientGone}: the client left before the response ended); true the first time only. */
    public boolean finished(int status, long bytesIn, long bytesOut, boolean clientGone) {
        if (finished) return false;
        finished = true;
        RequestOutcome outcome = new RequestOutcome(status, System.nanoTime() - ctx.startNanos(), bytesIn, bytesOut, clientGone);
        for (RequestListener l : listeners) l.finished(ctx, outcome);
        return true;
    }
}
