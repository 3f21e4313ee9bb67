package dev.tailgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.ledger.UsageFields;
import dev.tailgate.gateway.upstream.BytesReader;
import dev.tailgate.gateway.upstream.ChatChunk;
import dev.tailgate.gateway.upstream.ChatSseReader;
import dev.tailgate.gateway.upstream.NativeSseReader;
import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.gateway.upstream.WholeBodyReader;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import dev.tailgate.wire.JsonSplice;
import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseWriter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;

/**
 * Relays that deliver an upstream answer to the client's HTTP response: an upstream {@link Relay.Reader} joined to a
 * sink here. The upstream model becomes the client's alias again on the way out.
 */
public final class ClientRelays {
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

    private ClientRelays() {}

    /** Whole JSON body (non-stream chat, embeddings, Responses, Messages): collected, {@code model} spliced back to the alias, sent. */
    public static Relay<byte[]> json(Exchange ex, String alias) {
        return new Relay<>(WholeBodyReader::new, new JsonSink(ex, alias));
    }

    /**
     * SSE chat stream: model rewritten per event; the events of one upstream read go out in one write (one flush) at the
     * end of that read, backpressure honoured. The
     * usage chunk is always read for the ledger, and with {@code stripUsageChunk} (the gateway asked upstream for
     * {@code include_usage}, the client did not) the usage-only chunk is not forwarded.
     */
    public static Relay<ChatChunk> chatSse(Exchange ex, String alias, boolean stripUsageChunk) {
        return new Relay<>(ChatSseReader::new, new ChatSseSink(ex, alias, stripUsageChunk));
    }

    /** Binary body (speech audio, transcription text): streamed through as it arrives. */
    public static Relay<Buffer> binary(Exchange ex) {
        return new Relay<>(BytesReader::new, new BytesSink(ex));
    }

    /**
     * A provider's native SSE stream relayed event by event. An upstream that ends before {@code format} calls the
     * stream complete is a cut stream: the client gets the format's error event, never a silent end.
     * {@code incomplete}: how the error names that, e.g. "before message_stop".
     */
    public static Relay<SseEvent> nativeSse(Exchange ex, NativeSseFormat format, String incomplete) {
        NativeSseReader reader = new NativeSseReader(format::complete, incomplete);
        return new Relay<>(() -> reader, new NativeSseSink(ex, format));
    }

    /**
     * {@code json} with the span {@code model} (found by {@link JsonSplice#find} on these bytes) replaced by
     * {@code quotedAlias}, appended to {@code out}: one copy into the buffer that is written, where
     * {@link JsonSplice#replace} would build an intermediate array and serialise the alias again for every piece.
     */
    private static Buffer appendSpliced(Buffer out, byte[] json, JsonSplice.Span model, byte[] quotedAlias) {
        if (model.start() < 0) return out.appendBytes(json);
        return out.appendBytes(json, 0, model.start()).appendBytes(quotedAlias)
                .appendBytes(json, model.end(), json.length - model.end());
    }

    private static final class JsonSink extends ClientSink<byte[]> {
        private final byte[] quotedAlias;
        private int status = 200;
        private Buffer out;

        JsonSink(Exchange ex, String alias) {
            super(ex);
            this.quotedAlias = Json.bytes(alias);
        }

        @Override
        public boolean open(HttpClientResponse head) {
            status = head.statusCode();
            return false;
        }

        @Override
        public boolean deliver(byte[] body) {
            UsageFields.capture(ex.ctx(), body); // for the usage ledger; the bytes go out unchanged
            JsonSplice.Span model = JsonSplice.find(body, "model");
            if (model == null) throw new Relay.UnusableAnswer("answered with invalid JSON");
            out = appendSpliced(Buffer.buffer(body.length + quotedAlias.length), body, model, quotedAlias);
            return true;
        }

        @Override
        public void end() {
            response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON);
            ex.endWith(out);
        }

        @Override
        public void abortAfterCommit(ApiError error) {
            // the body is sent in one piece at the end; nothing was written that could be aborted
        }
    }

    private static final class ChatSseSink extends ClientSink<ChatChunk> {
        private static final byte[] DATA = "data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        private static final byte[] EVENT_END = {'\n', '\n'};
        private final byte[] quotedAlias;
        private final boolean stripUsageChunk;
        /** The events of the current upstream read, not yet written. */
        private Buffer pending;

        ChatSseSink(Exchange ex, String alias, boolean stripUsageChunk) {
            super(ex);
            this.quotedAlias = Json.bytes(alias);
            this.stripUsageChunk = stripUsageChunk;
        }

        @Override
        public boolean deliver(ChatChunk chunk) {
            byte[] json = chunk.json();
            if (UsageFields.contains(json, "\"usage\"")) {
                JsonNode parsed = Json.parse(json);
                UsageFields.capture(ex.ctx(), parsed);
                if (stripUsageChunk && UsageFields.usageOnlyChunk(parsed)) return false;
            }
            ex.ctx().firstToken();
            SseResponse.open(response);
            if (response.closed()) return true;
            if (pending == null) pending = Buffer.buffer(json.length + quotedAlias.length + 64);
            if (chunk.eventName() != null) pending.appendString("event: ").appendString(chunk.eventName()).appendByte((byte) '\n');
            // one single-line data event ("data: " + the chunk with the alias + blank line), straight into the read's
            // buffer: no buffer or spliced copy of its own per event
            appendSpliced(pending.appendBytes(DATA), json, chunk.model(), quotedAlias).appendBytes(EVENT_END);
            return true; // committed: written at the end of this read, before any other target could be tried
        }

        @Override
        public void endOfRead() {
            Buffer b = takePending();
            if (b != null && !response.closed() && !response.ended()) response.write(b);
        }

        @Override
        public void end() {
            SseResponse.open(response);
            ex.endWith(withPending(SseWriter.done()));
        }

        @Override
        public void abortAfterCommit(ApiError error) {
            ex.endWith(withPending(SseWriter.error(error.toBytes())));
        }

        /** What is gathered followed by {@code last}: the events before the end go out with it. */
        private Buffer withPending(Buffer last) {
            Buffer b = takePending();
            return b == null ? last : b.appendBuffer(last);
        }

        private Buffer takePending() {
            Buffer b = pending;
            pending = null;
            return b;
        }
    }

    private static final class BytesSink extends ClientSink<Buffer> {
        BytesSink(Exchange ex) {
            super(ex);
        }

        /** The head commits: status and length go out as the upstream sent them, and the body follows as it comes. */
        @Override
        public boolean open(HttpClientResponse head) {
            response.setStatusCode(head.statusCode());
            String ct = head.getHeader("Content-Type");
            if (ct != null) response.putHeader("Content-Type", ct);
            String len = head.getHeader("Content-Length");
            if (len != null) response.putHeader("Content-Length", len);
            else response.setChunked(true);
            return true;
        }

        @Override
        public boolean deliver(Buffer piece) {
            if (!response.closed()) response.write(piece);
            return true;
        }

        @Override
        public void abortAfterCommit(ApiError error) {
            // a binary body cannot carry an error: break the connection so the client sees a failure, not a short file
            if (!response.ended() && !response.closed()) response.reset();
        }
    }

    private static final class NativeSseSink extends ClientSink<SseEvent> {
        private final NativeSseFormat format;

        NativeSseSink(Exchange ex, NativeSseFormat format) {
            super(ex);
            this.format = format;
        }

        @Override
        public boolean deliver(SseEvent event) {
            if (response.closed()) return false;
            ex.ctx().firstToken();
            SseResponse.open(response);
            response.write(SseWriter.encode(format.observe(event)));
            return true;
        }

        @Override
        public void abortAfterCommit(ApiError error) {
            ex.endWith(format.errorEvent(error));
        }
    }
}
