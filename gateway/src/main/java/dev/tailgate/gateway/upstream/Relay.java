package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.config.Target;
import dev.tailgate.wire.ApiError;
import io.vertx.core.http.HttpClientResponse;

/**
 * Consumes a successful (2xx) upstream response and delivers it somewhere (the client's HTTP response, or a listener
 * of the internal API). The {@link Dispatcher} drives it:
 * <ol>
 *   <li>{@link #onResponse} for a 2xx answer; the relay must end the attempt with {@link Attempt#succeed()} or
 *       {@link Attempt#fail}, and call {@link Attempt#firstProgress()}/{@link Attempt#progress()} as data arrives
 *       (that is what the first-token and idle timeouts watch).</li>
 *   <li>{@link #committed()} tells whether anything reached the destination; until then the dispatcher may retry
 *       on another target.</li>
 *   <li>exactly one of {@link #failBeforeCommit} / {@link #abortAfterCommit} when the dispatch fails for good.</li>
 * </ol>
 * Everything runs on the request's event loop.
 */
public abstract class Relay {
    private boolean committed;

    public abstract void onResponse(Attempt attempt, Target target, HttpClientResponse response);

    /** Nothing was delivered: answer with this error (status, OpenAI body). */
    public abstract void failBeforeCommit(ApiError error);

    /** Something was already delivered: end in the way the protocol allows (SSE error event, or a reset). */
    public abstract void abortAfterCommit(ApiError error);

    /** The caller went away (client disconnect or cancel); nothing more will be delivered. */
    public void cancelled() {}

    public final boolean committed() {
        return committed;
    }

    protected final void commit() {
        committed = true;
    }
}
