package dev.tailgate.gateway.upstream;

import dev.tailgate.gateway.config.Target;
import dev.tailgate.wire.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * Carries a successful (2xx) upstream answer from a {@link Reader} (how the answer is read: one JSON body, chat SSE
 * chunks, native SSE events, bytes) to a {@link Sink} (where it goes: the client's response, a bridge, an internal
 * caller). The {@link Dispatcher} drives it, one {@link Attempt} after another while nothing is committed.
 *
 * <p>The attempt bookkeeping lives here and nowhere else: every upstream buffer is counted against
 * {@code max_response}; every piece read is progress (first-token, then idle clock); the first piece the sink says
 * reached its destination commits the relay (no other target may be tried after it); and the attempt succeeds before
 * the sink's last write — ending the client response can close the exchange, and a close seen first would count the
 * finished attempt as cancelled (no breaker success, no permit verdict). Everything runs on the request's event loop.
 */
public final class Relay<T> {
    /** Reads one upstream answer and hands what it read to the {@link Feed}. A new reader per attempt. */
    public interface Reader<T> {
        void read(HttpClientResponse response, Feed<T> feed);
    }

    /** What a {@link Reader} reports to; implemented only by the relay, per attempt. */
    public interface Feed<T> {
        /** Counts an upstream buffer against {@code max_response}; false: too large, the attempt failed, drop it. */
        boolean accept(Buffer piece);

        /** Data arrived that is not a piece of its own (a response head, a buffer of a body still being collected). */
        void progress();

        /** One piece of the answer, for the sink. */
        void piece(T piece);

        /** The pieces of one upstream read were all handed on: the sink may write what it gathered (one flush). */
        void endOfRead();

        /** The answer is complete: the attempt succeeds, then the sink writes its last bytes. */
        void end();

        /** The answer cannot be used; {@code what} follows "provider 'name' " in the error. */
        void fail(String what, boolean retryable);

        /** The upstream reported an error of its own (already worded and scrubbed). */
        void fail(ApiError error, boolean retryable);

        /** The attempt is over (failed, timed out, cancelled, or ended): ignore whatever still arrives. */
        boolean done();

        /** For every piece of upstream text the reader passes on in an error. */
        SecretScrubber scrubber();
    }

    /** Delivers what the reader read. */
    public interface Sink<T> {
        /** The 2xx head arrived, before any piece; true when that alone commits (a body streamed as it comes). */
        default boolean open(HttpClientResponse head) {
            return false;
        }

        /**
         * One piece; true when it reached the destination (that commits the relay), false when it was held back.
         *
         * @throws UnusableAnswer when the piece cannot be delivered (e.g. a body that is not JSON): the attempt fails
         */
        boolean deliver(T piece);

        /**
         * The pieces of one upstream read were all delivered. A sink that gathers pieces writes them here: one write
         * and flush per read instead of one per piece (a write per SSE event was the largest part of a stream's CPU),
         * and pieces that arrive apart still leave at once.
         */
        default void endOfRead() {}

        /** The answer is complete and the attempt already succeeded: the last write. */
        void end();

        /** Nothing was delivered and no target is left: answer with this error. */
        void failBeforeCommit(ApiError error);

        /** Something was delivered: end in the way the protocol allows (an SSE error event, or a reset). */
        void abortAfterCommit(ApiError error);

        /** The caller went away; nothing more will be delivered. */
        default void cancelled() {}

        /** Backpressure: true when the destination cannot take more now; it then calls {@code resume} once drained. */
        default boolean full(Runnable resume) {
            return false;
        }
    }

    /** A piece a sink cannot use: the attempt fails with "provider 'name' " + {@code what} (not retryable). */
    public static final class UnusableAnswer extends RuntimeException {
        public UnusableAnswer(String what) {
            super(what, null, false, false);
        }
    }

    private final java.util.function.Supplier<Reader<T>> readers;
    private final Sink<T> sink;
    private boolean committed;

    /** {@code readers}: a fresh reader per attempt (readers keep per-answer state). */
    public Relay(java.util.function.Supplier<Reader<T>> readers, Sink<T> sink) {
        this.readers = readers;
        this.sink = sink;
    }

    /** Whether anything reached the destination; until then the dispatcher may try another target. */
    public boolean committed() {
        return committed;
    }

    void onResponse(Attempt attempt, Target target, HttpClientResponse response) {
        AttemptFeed feed = new AttemptFeed(attempt, target, response);
        if (sink.open(response)) committed = true;
        readers.get().read(response, feed);
    }

    void failBeforeCommit(ApiError error) {
        sink.failBeforeCommit(error);
    }

    void abortAfterCommit(ApiError error) {
        sink.abortAfterCommit(error);
    }

    void cancelled() {
        sink.cancelled();
    }

    /** The one implementation of the bookkeeping described above, bound to one attempt. */
    private final class AttemptFeed implements Feed<T> {
        private final Attempt attempt;
        private final Target target;
        private final HttpClientResponse response;
        private Runnable resume;

        AttemptFeed(Attempt attempt, Target target, HttpClientResponse response) {
            this.attempt = attempt;
            this.target = target;
            this.response = response;
        }

        @Override
        public boolean accept(Buffer piece) {
            return attempt.accept(piece);
        }

        @Override
        public void progress() {
            attempt.progress();
        }

        @Override
        public void piece(T piece) {
            if (attempt.done()) return;
            attempt.progress();
            boolean delivered;
            try {
                delivered = sink.deliver(piece);
            } catch (UnusableAnswer e) {
                fail(e.getMessage(), false);
                return;
            }
            if (delivered) committed = true;
        }

        @Override
        public void endOfRead() {
            if (attempt.done()) return;
            sink.endOfRead();
            if (sink.full(resume())) response.pause();
        }

        private Runnable resume() {
            if (resume == null) resume = response::resume;
            return resume;
        }

        @Override
        public void end() {
            if (attempt.done()) return;
            attempt.succeed(); // before the last write (see the class comment)
            sink.end();
        }

        @Override
        public void fail(String what, boolean retryable) {
            attempt.fail(ApiError.upstream("provider '" + target.provider() + "' " + what), retryable);
        }

        @Override
        public void fail(ApiError error, boolean retryable) {
            attempt.fail(error, retryable);
        }

        @Override
        public boolean done() {
            return attempt.done();
        }

        @Override
        public SecretScrubber scrubber() {
            return attempt.scrubber();
        }
    }
}
