package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.config.Target;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;

/**
 * One try of one request against one target. Owns the timers (total {@code timeout}, {@code first_token_timeout}
 * until the relay reports first progress, {@code idle_timeout} between later progress) and the limiter permit.
 * Any failure — timeout, broken connection, cancel — resets the upstream request so the provider stops working on it.
 */
final class Attempt {
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final Vertx vertx;
    private final ProviderState provider;
    private final ProviderConfig config;
    private final SecretScrubber scrubber;
    private final Target target;
    private final dev.tailgate.gateway.limit.Permit permit;
    /** The whole attempt's limit: the provider's {@code timeout}, or what is left of the request's budget (a fallback). */
    private final Duration total;
    private final Promise<Void> outcome = Promise.promise();
    private HttpClientRequest request;
    private long totalTimer = -1, firstTimer = -1, idleTimer = -1;
    private boolean sawFirst;
    /** {@link System#nanoTime()} of the last progress: the idle timer compares against it when it fires. */
    private long lastProgress;
    private long received;

    Attempt(Vertx vertx, ProviderState provider, SecretScrubber scrubber, Target target, dev.tailgate.gateway.limit.Permit permit,
            Duration total) {
        this.vertx = vertx;
        this.provider = provider;
        this.scrubber = scrubber;
        this.config = provider.config();
        this.target = target;
        this.permit = permit;
        this.total = total;
    }

    /** For every piece of upstream text this attempt's relay passes on in an error. */
    SecretScrubber scrubber() { return scrubber; }
    boolean done() { return outcome.future().isComplete(); }

    Future<Void> run(HttpClient client, HttpMethod method, String path, UpstreamBody body, String requestId, Relay<?> relay) {
        totalTimer = vertx.setTimer(total.toMillis(), t -> timeout("did not finish", total));
        firstTimer = vertx.setTimer(config.firstTokenTimeout().toMillis(),
                t -> timeout("sent no first response", config.firstTokenTimeout()));
        RequestOptions opts = new RequestOptions().setMethod(method).setAbsoluteURI(config.url(path))
                .setConnectTimeout(Math.min(config.firstTokenTimeout().toMillis(), 30_000));
        client.request(opts).compose(req -> {
            if (done()) {
                req.reset();
                return Future.failedFuture("attempt already over");
            }
            this.request = req;
            if (config.apiKey() != null) req.putHeader("Authorization", "Bearer " + config.apiKey().reveal());
            if (body.contentType() != null) req.putHeader("Content-Type", body.contentType());
            req.putHeader("Accept", "application/json, text/event-stream, */*");
            req.putHeader("X-Request-Id", requestId);
            req.exceptionHandler(e -> fail(UpstreamErrors.connectFailed(config, e)));
            return body.sendOn(req);
        }).onComplete(ar -> {
            if (done()) return;
            if (ar.failed()) {
                fail(UpstreamErrors.connectFailed(config, ar.cause()));
                return;
            }
            HttpClientResponse resp = ar.result();
            resp.exceptionHandler(e -> fail(new UpstreamFailure(dev.tailgate.wire.ApiError.upstream(
                    "provider '" + config.name() + "' connection broke (" + e.getClass().getSimpleName() + ")"), true)));
            if (resp.statusCode() / 100 == 2) {
                if (declaredTooLarge(resp.getHeader("Content-Length"))) {
                    fail(tooLarge(), false);
                    return;
                }
                relay.onResponse(this, target, resp);
            } else {
                readErrorBody(resp);
            }
        });
        return outcome.future().andThen(ar -> cleanup(ar.succeeded()));
    }

    private void readErrorBody(HttpClientResponse resp) {
        Buffer buf = Buffer.buffer();
        resp.handler(b -> {
            if (buf.length() < MAX_ERROR_BODY) buf.appendBuffer(b.length() > MAX_ERROR_BODY ? b.slice(0, MAX_ERROR_BODY) : b);
        });
        resp.endHandler(v -> fail(UpstreamErrors.fromResponse(scrubber, config, resp.statusCode(), buf, resp.getHeader("Retry-After"))));
    }

    /**
     * Counts a piece of the upstream answer against the provider's {@code max_response}. The {@link Relay} calls this
     * for each buffer its reader reads; past the limit the attempt fails (502 before the first byte reached the client, an SSE
     * error or a reset after), so a runaway upstream cannot make the gateway buffer without end.
     *
     * @return false when the answer is now too large (the attempt has failed; drop the buffer)
     */
    boolean accept(Buffer piece) {
        if (done()) return false;
        received += piece.length();
        if (received <= config.maxResponse()) return true;
        fail(tooLarge(), false);
        return false;
    }

    private boolean declaredTooLarge(String contentLength) {
        if (contentLength == null) return false;
        try {
            return Long.parseLong(contentLength.trim()) > config.maxResponse();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private dev.tailgate.wire.ApiError tooLarge() {
        return dev.tailgate.wire.ApiError.upstream("provider '" + config.name() + "' answered with more than "
                + config.maxResponse() + " bytes (max_response)");
    }

    /**
     * Data arrived (called by the {@link Relay} only): the first time it stops the first-token clock, every time it
     * restarts the idle clock. The idle clock is one timer that, when it fires, looks at the last progress and waits
     * for the rest when there was some: a stream calls this once per event, and cancelling and arming a Vert.x timer
     * per event was a measurable share of a stream's CPU.
     */
    void progress() {
        if (done()) return;
        lastProgress = System.nanoTime();
        if (!sawFirst) {
            sawFirst = true;
            vertx.cancelTimer(firstTimer);
        }
        if (idleTimer < 0) armIdle(config.idleTimeout().toMillis());
    }

    private void armIdle(long millis) {
        idleTimer = vertx.setTimer(Math.max(1, millis), t -> idleTimerFired());
    }

    private void idleTimerFired() {
        idleTimer = -1;
        if (done()) return;
        long idleNanos = config.idleTimeout().toNanos();
        long quiet = System.nanoTime() - lastProgress;
        if (quiet >= idleNanos) timeout("went idle mid-response", config.idleTimeout());
        else armIdle(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(idleNanos - quiet + 999_999));
    }

    private void timeout(String what, Duration d) {
        fail(new UpstreamFailure(UpstreamErrors.timeout(config, what, d), true));
    }

    void succeed() {
        outcome.tryComplete();
    }

    void fail(UpstreamFailure f) {
        outcome.tryFail(f);
    }

    void fail(dev.tailgate.wire.ApiError e, boolean retryable) {
        fail(new UpstreamFailure(e, retryable));
    }

    /** The caller went away: stop the upstream work. */
    void cancel() {
        fail(new UpstreamFailure(dev.tailgate.wire.ApiError.upstream("cancelled by the client"), false));
    }

    private void cleanup(boolean ok) {
        vertx.cancelTimer(totalTimer);
        vertx.cancelTimer(firstTimer);
        if (idleTimer >= 0) vertx.cancelTimer(idleTimer);
        permit.release();
        if (!ok && request != null) request.reset();
    }
}
