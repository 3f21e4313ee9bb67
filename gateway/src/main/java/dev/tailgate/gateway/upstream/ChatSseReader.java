package dev.tailgate.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
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
public final class ChatSseReader implements Relay.Reader<ChatChunk> {
    private static final byte[] FINISH_REASON = "\"finish_reason\"".getBytes(StandardCharsets.US_ASCII);
    private final ChatChunk chunk = new ChatChunk();
    private Relay.Feed<ChatChunk> feed;
    private boolean sawFinish;

    @Override
    public void read(HttpClientResponse response, Relay.Feed<ChatChunk> feed) {
        this.feed = feed;
        String ct = response.getHeader("Content-Type");
        if (ct != null && !ct.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
            // e.g. a server that ignores "stream": true and answers with one JSON body
            feed.fail("answered a streaming request with " + ct.split(";")[0] + " instead of text/event-stream", true);
            return;
        }
        SseReader reader = new SseReader(this::onEvent);
        response.handler(buf -> {
            if (!feed.accept(buf)) return;
            try {
                reader.feed(buf);
            } catch (SseReader.SseException e) {
                feed.fail("sent a malformed stream: " + e.getMessage(), true);
                return;
            }
            feed.endOfRead();
        });
        response.endHandler(v -> {
            if (feed.done()) return;
            if (sawFinish) feed.end();
            else feed.fail("ended the stream before it was complete", true);
        });
    }

    private void onEvent(SseEvent ev) {
        if (feed.done()) return;
        if (ev.isDone()) {
            feed.end();
            return;
        }
        byte[] json = ev.data().getBytes(StandardCharsets.UTF_8);
        if ("error".equals(ev.event()) || containsTopLevelError(ev.data())) {
            feed.fail(streamError(json), false);
            return;
        }
        JsonSplice.Span span = JsonSplice.find(json, "model");
        if (span == null) {
            feed.fail("sent a malformed stream event (not a JSON object)", true);
            return;
        }
        if (!sawFinish && hasFinishReason(json)) sawFinish = true;
        chunk.set(ev, json, span);
        feed.piece(chunk);
    }

    /**
     * Whether {@code "finish_reason"} has a string value in the chunk ({@code "finish_reason"\s*:\s*"}): a byte scan,
     * run on every chunk until the finishing one (a regular expression over the decoded text showed in the profile).
     */
    static boolean hasFinishReason(byte[] json) {
        for (int at = indexOf(json, FINISH_REASON, 0); at >= 0; at = indexOf(json, FINISH_REASON, at + 1)) {
            int i = skipSpace(json, at + FINISH_REASON.length);
            if (i < json.length && json[i] == ':') {
                i = skipSpace(json, i + 1);
                if (i < json.length && json[i] == '"') return true;
            }
        }
        return false;
    }

    private static int skipSpace(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r' || b[i] == 0x0B || b[i] == '\f')) i++;
        return i;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
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

    private String streamError(byte[] json) {
        try {
            JsonNode e = Json.parse(json).path("error");
            String msg = feed.scrubber().scrub(e.path("message").asText(null));
            return "reported an error mid-stream" + (msg == null ? "" : ": " + msg);
        } catch (RuntimeException notJson) {
            return "reported an error mid-stream";
        }
    }
}
