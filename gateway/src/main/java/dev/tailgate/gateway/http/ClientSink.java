package dev.tailgate.gateway.http;

import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.wire.ApiError;
import io.vertx.core.http.HttpServerResponse;

/** What every sink writing to the client's response shares: the end, refusal before the first byte, backpressure. */
abstract class ClientSink<T> implements Relay.Sink<T> {
    protected final Exchange ex;
    protected final HttpServerResponse response;

    ClientSink(Exchange ex) {
        this.ex = ex;
        this.response = ex.response();
    }

    /** The answer was written as it came: only the end is left. */
    @Override
    public void end() {
        ex.endWith(null);
    }

    @Override
    public void failBeforeCommit(ApiError error) {
        ex.fail(error);
    }

    @Override
    public boolean full(Runnable resume) {
        if (!response.writeQueueFull()) return false;
        response.drainHandler(v -> resume.run());
        return true;
    }
}
