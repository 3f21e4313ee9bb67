package dev.tailgate.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.streams.ReadStream;

/** The request body sent upstream: bytes (re-sendable, so fallback works) or a one-shot stream. */
public interface UpstreamBody {
    String contentType();

    Future<HttpClientResponse> sendOn(HttpClientRequest request);

    /** False for one-shot streams: once sent they cannot be sent to another target. */
    boolean resendable();

    static UpstreamBody bytes(Buffer body, String contentType) {
        return new UpstreamBody() {
            public String contentType() { return contentType; }
            public Future<HttpClientResponse> sendOn(HttpClientRequest r) {
                r.putHeader("Content-Length", Integer.toString(body.length()));
                return r.send(body);
            }
            public boolean resendable() { return true; }
        };
    }

    /** A streamed body; {@code length} null sends it chunked. */
    static UpstreamBody stream(ReadStream<Buffer> body, String contentType, Long length) {
        return new UpstreamBody() {
            public String contentType() { return contentType; }
            public Future<HttpClientResponse> sendOn(HttpClientRequest r) {
                if (length != null) r.putHeader("Content-Length", Long.toString(length));
                else r.setChunked(true);
                return r.send(body);
            }
            public boolean resendable() { return false; }
        };
    }
}
