package dev.tailgate.gateway.upstream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * Reads a whole upstream body (a JSON answer: non-stream chat, embeddings, Responses) and hands it on as one piece
 * when it ended. Bounded by the provider's {@code max_response}, which {@link Relay.Feed#accept} enforces.
 */
public final class WholeBodyReader implements Relay.Reader<byte[]> {
    @Override
    public void read(HttpClientResponse response, Relay.Feed<byte[]> feed) {
        feed.progress(); // the head is the first sign of life: the first-token clock stops, the idle clock runs
        Buffer body = Buffer.buffer();
        response.handler(b -> {
            if (!feed.accept(b)) return;
            feed.progress();
            body.appendBuffer(b);
        });
        response.endHandler(v -> {
            if (feed.done()) return;
            feed.piece(body.getBytes());
            feed.end();
        });
    }
}
