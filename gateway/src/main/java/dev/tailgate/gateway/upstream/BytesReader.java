package dev.tailgate.gateway.upstream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/** Reads a body buffer by buffer as it arrives (speech audio, transcription text), never collecting it. */
public final class BytesReader implements Relay.Reader<Buffer> {
    @Override
    public void read(HttpClientResponse response, Relay.Feed<Buffer> feed) {
        feed.progress();
        response.handler(b -> {
            if (!feed.accept(b)) return;
            feed.piece(b);
            feed.endOfRead();
        });
        response.endHandler(v -> feed.end());
    }
}
