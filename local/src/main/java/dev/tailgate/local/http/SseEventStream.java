package dev.tailgate.local.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;

/**
 * The response side of an audio SSE stream (speech {@code stream_format: "sse"}, transcription {@code stream: true}):
 * headers on the first event, one {@code data:} line per event, and a failure that is a plain JSON error before the
 * first event and an {@code error} event after it. Event loop only.
 */
final class SseEventStream {
    private final Exchange ex;
    private boolean started;

    SseEventStream(Exchange ex) {
        this.ex = ex;
    }

    void send(ObjectNode event) {
        start();
        byte[] json = Json.bytes(event);
        ex.response.write(Buffer.buffer(json.length + 8).appendString("data: ").appendBytes(json).appendString("\n\n"));
    }

    /** The last event: sends it and ends the response. */
    void finish(ObjectNode event) {
        send(event);
        ex.response.end();
    }

    void fail(ApiError error) {
        if (!started) {
            ex.error(error);
            return;
        }
        ex.response.end(Buffer.buffer("event: error\ndata: " + Json.string(error.toJson()) + "\n\n"));
    }

    private void start() {
        if (started) return;
        started = true;
        ex.response.setStatusCode(200).setChunked(true)
                .putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-cache")
                .putHeader("x-accel-buffering", "no");
    }
}
