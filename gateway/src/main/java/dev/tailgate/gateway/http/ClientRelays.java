package dev.tailgate.gateway.http;

import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.ledger.UsageFields;
import dev.tailgate.gateway.upstream.Attempt;
import dev.tailgate.gateway.upstream.Relay;
import dev.tailgate.gateway.upstream.SseRelay;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.JsonSplice;
import dev.tailgate.wire.sse.SseEvent;
import dev.tailgate.wire.sse.SseWriter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;

/** Relays that deliver an upstream response to the client's HTTP response, rewriting the model back to the alias. */
public final class ClientRelays {
    private ClientRelays() {}

    /** Whole JSON body (non-stream chat, embeddings): collected, {@code model} spliced back to the alias, sent. */
    public static Relay json(Exchange ex, String alias) {
        return new Relay() {
            @Override
            public void onResponse(Attempt attempt, Target target, HttpClientResponse resp) {
                attempt.firstProgress();
                Buffer body = Buffer.buffer();
                resp.handler(b -> {
                    if (!attempt.accept(b)) return;
                    attempt.progress();
                    body.appendBuffer(b);
                });
                resp.endHandler(v -> {
                    if (attempt.done()) return;
                    byte[] in = body.getBytes();
                    UsageFields.capture(ex.ctx(), in); // for the usage ledger; the bytes go out unchanged
                    byte[] out = JsonSplice.replace(in, "model", alias);
                    if (out == null) {
                        attempt.fail(ApiError.upstream("provider '" + target.provider() + "' answered with invalid JSON"), false);
                        return;
                    }
                    commit();
                    // the verdict before the last write: ending the response can close the exchange, and a close
                    // seen first would count this finished attempt as cancelled (no breaker success, no permit verdict)
                    attempt.succeed();
                    ex.response().setStatusCode(resp.statusCode()).putHeader("Content-Type", "application/json");
                    ex.endAfterUsageRow(() -> {
                        if (!ex.response().closed() && !ex.response().ended()) ex.response().end(Buffer.buffer(out));
                    });
                });
            }

            @Override
            public void failBeforeCommit(ApiError error) {
                ex.fail(error);
            }

            @Override
            public void abortAfterCommit(ApiError error) {
                // the body was sent in one piece; nothing left to abort
            }
        };
    }

    /**
     * SSE chat stream: model rewritten per event; the events of one upstream read go out in one write (one flush) at
     * the end of that read, backpressure honoured.
     */
    public static Relay sse(Exchange ex, String alias) {
        return sse(ex, alias, false);
    }

    /**
     * As {@link #sse(Exchange, String)}; the usage chunk is always read for the ledger, and with {@code stripUsageChunk}
     * (the gateway asked upstream for {@code include_usage}, the client did not) the usage-only chunk is not forwarded.
     */
    public static Relay sse(Exchange ex, String alias, boolean stripUsageChunk) {
        HttpServerResponse r = ex.response();
        return new SseRelay() {
            /** The events of the current upstream read, not yet written. */
            private Buffer pending;

            @Override
            protected void deliverChunk(SseEvent event, byte[] json, JsonSplice.Span span) {
                if (UsageFields.contains(json, "\"usage\"")) {
                    com.fasterxml.jackson.databind.JsonNode chunk = dev.tailgate.wire.Json.parse(json);
                    UsageFields.capture(ex.ctx(), chunk);
                    if (stripUsageChunk && UsageFields.usageOnlyChunk(chunk)) return;
                }
                ex.ctx().firstToken();
                if (!committed()) {
                    commit();
                    r.setStatusCode(200).setChunked(true)
                            .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                            .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
                }
                if (r.closed()) return;
                byte[] out = JsonSplice.replace(json, span, alias); // the span the relay found: no second tokenising
                if (pending == null) pending = Buffer.buffer(out.length + 64);
                if (event.event() != null) pending.appendString("event: " + event.event() + "\n");
                pending.appendBuffer(SseWriter.jsonData(out));
            }

            @Override
            protected void endOfRead() {
                Buffer b = takePending();
                if (b == null || r.closed() || r.ended()) return;
                r.write(b);
                if (r.writeQueueFull()) {
                    pauseUpstream();
                    r.drainHandler(v -> resumeUpstream());
                }
            }

            /** What is pending followed by {@code last}: the events before the end go out with it. */
            private Buffer withPending(Buffer last) {
                Buffer b = takePending();
                return b == null ? last : b.appendBuffer(last);
            }

            private Buffer takePending() {
                Buffer b = pending;
                pending = null;
                return b;
            }

            @Override
            protected void deliverDone() {
                if (!committed()) {
                    commit();
                    r.setStatusCode(200).putHeader("Content-Type", "text/event-stream; charset=utf-8").putHeader("Cache-Control", "no-cache");
                }
                Buffer last = withPending(SseWriter.done());
                ex.endAfterUsageRow(() -> {
                    if (!r.closed() && !r.ended()) r.end(last);
                });
            }

            @Override
            public void failBeforeCommit(ApiError error) {
                ex.fail(error);
            }

            @Override
            public void abortAfterCommit(ApiError error) {
                Buffer last = withPending(SseWriter.error(error.toBytes()));
                ex.endAfterUsageRow(() -> {
                    if (!r.closed() && !r.ended()) r.end(last);
                });
            }
        };
    }

    /** Binary body (speech audio, transcription text): streamed through as it arrives. */
    public static Relay binary(Exchange ex) {
        HttpServerResponse r = ex.response();
        return new Relay() {
            @Override
            public void onResponse(Attempt attempt, Target target, HttpClientResponse resp) {
                attempt.firstProgress();
                commit();
                r.setStatusCode(resp.statusCode());
                String ct = resp.getHeader("Content-Type");
                if (ct != null) r.putHeader("Content-Type", ct);
                String len = resp.getHeader("Content-Length");
                if (len != null) r.putHeader("Content-Length", len);
                else r.setChunked(true);
                resp.handler(b -> {
                    if (!attempt.accept(b) || r.closed()) return;
                    attempt.progress();
                    r.write(b);
                    if (r.writeQueueFull()) {
                        resp.pause();
                        r.drainHandler(v -> resp.resume());
                    }
                });
                resp.endHandler(v -> {
                    if (attempt.done()) return;
                    attempt.succeed(); // before the last write (see json)
                    ex.endAfterUsageRow(() -> {
                        if (!r.closed() && !r.ended()) r.end();
                    });
                });
            }

            @Override
            public void failBeforeCommit(ApiError error) {
                ex.fail(error);
            }

            @Override
            public void abortAfterCommit(ApiError error) {
                // a binary body cannot carry an error: break the connection so the client sees a failure, not a short file
                if (!r.ended() && !r.closed()) r.reset();
            }
        };
    }
}
