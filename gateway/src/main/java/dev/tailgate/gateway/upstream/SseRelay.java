package dev.tailgate.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import dev.tailgate.wire.JsonSplice;
import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseReader;
import io.vertx.core.http.HttpClientResponse;
import java.nio.charset.StandardCharsets;

/**
 * Reads an upstream chat-completions SSE stream event by event and hands each JSON chunk on as soon as it is complete
 * (never buffering the response). Rules: {@code [DONE]} ends the stream; an {@code error} event or a chunk carrying a
 * top-level {@code error} fails it; a chunk that is not a JSON object fails it (malformed); an upstream that ends
 * without {@code [DONE]} fails it unless a {@code finish_reason} was already seen (some compatible servers omit
 * {@code [DONE]}; the client still gets one).
 */
public abstract class SseRelay extends Relay {
    private static final java.util.regex.Pattern FINISH_REASON = java.util.regex.Pattern.compile("\"finish_reason\"\\s*:\\s*\"");
    private Attempt attempt;
    private HttpClientResponse response;
    private boolean sawFinish;

    /** A JSON chunk, as bytes exactly as the upstream sent them; {@code modelSpan} locates its top-level model. */
    protected abstract void deliverChunk(SseEvent event, byte[] json, JsonSplice.Span modelSpan);

    /** The upstream finished cleanly. */
    protected abstract void deliverDone();

    /**
     * Every complete event of one upstream read has been delivered. A relay writing to a socket sends them now, in one
     * write: a flush per event was the largest part of a stream's CPU, and events that arrived together gain nothing
     * from leaving one by one (nothing waits for a later read).
     */
    protected void endOfRead() {}

    @Override
    public final void onResponse(Attempt attempt, Target target, HttpClientResponse response) {
        this.attempt = attempt;
        this.response = response;
        String ct = response.getHeader("Content-Type");
        if (ct != null && !ct.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
            // e.g. a server that ignores "stream": true and answers with one JSON body
            attempt.fail(ApiError.upstream("provider '" + target.provider() + "' answered a streaming request with "
                    + ct.split(";")[0] + " instead of text/event-stream"), true);
            return;
        }
        SseReader reader = new SseReader(this::onEvent);
        response.handler(buf -> {
            if (!attempt.accept(buf)) return;
            try {
                reader.feed(buf);
            } catch (SseReader.SseException e) {
                attempt.fail(ApiError.upstream("provider '" + target.provider() + "' sent a malformed stream: " + e.getMessage()), true);
            }
            endOfRead();
        });
        response.endHandler(v -> {
            if (attempt.done()) return;
            if (sawFinish) {
                attempt.succeed(); // before the last write: ending the client response may close the exchange
                deliverDone();
            } else {
                attempt.fail(ApiError.upstream("provider '" + target.provider() + "' ended the stream before it was complete"), true);
            }
        });
    }

    private void onEvent(SseEvent ev) {
        if (attempt.done()) return;
        String who = "provider '" + attempt.target().provider() + "'";
        if (ev.isDone()) {
            attempt.succeed(); // before the last write: ending the client response may close the exchange
            deliverDone();
            return;
        }
        byte[] json = ev.data().getBytes(StandardCharsets.UTF_8);
        if ("error".equals(ev.event()) || containsTopLevelError(ev.data())) {
            attempt.fail(streamError(who, json), false);
            return;
        }
        JsonSplice.Span span = JsonSplice.find(json, "model");
        if (span == null) {
            attempt.fail(ApiError.upstream(who + " sent a malformed stream event (not a JSON object)"), true);
            return;
        }
        if (!sawFinish && FINISH_REASON.matcher(ev.data()).find()) sawFinish = true;
        if (!committed()) attempt.firstProgress();
        else attempt.progress();
        deliverChunk(ev, json, span);
    }

    private static boolean containsTopLevelError(String data) {
        if (!data.contains("\"error\"")) return false;
        try {
            JsonNode n = Json.parse(data);
            return n.has("error") && !n.has("choices");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private ApiError streamError(String who, byte[] json) {
        try {
            JsonNode e = Json.parse(json).path("error");
            String msg = attempt.scrubber().scrub(e.path("message").asText(null));
            return ApiError.upstream(who + " reported an error mid-stream" + (msg == null ? "" : ": " + msg));
        } catch (RuntimeException notJson) {
            return ApiError.upstream(who + " reported an error mid-stream");
        }
    }

    /** Backpressure: stop reading upstream while the destination cannot take more. */
    protected final void pauseUpstream() {
        if (response != null) response.pause();
    }

    protected final void resumeUpstream() {
        if (response != null) response.resume();
    }
}
