package dev.tailgate.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** The one place that opens a client response as a server-sent event stream (every streaming endpoint). */
public final class SseResponse {
    private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
    private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
    private static final CharSequence ACCEL_BUFFERING = HttpHeaders.createOptimized("X-Accel-Buffering");
    private static final CharSequence NO = HttpHeaders.createOptimized("no");

    private SseResponse() {}

    /**
     * Status 200, chunked, {@code text/event-stream}, no caching and no proxy buffering (nginx would hold events
     * back); does nothing once the head is out or the client is gone, so every writer may call it before a write.
     */
    public static void open(HttpServerResponse response) {
        if (response.closed() || response.headWritten()) return;
        response.setStatusCode(200).setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, EVENT_STREAM)
                .putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE)
                .putHeader(ACCEL_BUFFERING, NO);
    }
}
