package dev.tailgate.gateway.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.ApiError;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

/**
 * What the Responses bridge needs from the gateway: send a chat-completions body through target selection, limits,
 * fallback and timeouts, and get the answer back. Kept this small so the bridge does not depend on how the gateway
 * relays chat; the gateway adapts its relay to it.
 */
public interface ChatBackend {

    /**
     * A non-streamed chat completion. Fails with an {@link ApiError}-carrying exception ({@link BackendFailure}) when
     * no target could answer (after fallback).
     *
     * @param origin the client's request (auth, privacy header); its body has already been read
     */
    Future<JsonNode> complete(HttpServerRequest origin, ObjectNode chatRequest);

    /**
     * A streamed chat completion delivered to {@code listener} on one thread. Returns a handle that cancels the
     * upstream request (the client went away).
     */
    Cancel stream(HttpServerRequest origin, ObjectNode chatRequest, StreamListener listener);

    /** Callbacks of a streamed chat completion, in order: chunks…, then exactly one of onEnd / onError. */
    interface StreamListener {
        /** One parsed {@code data:} chunk. The first call means the upstream committed (no more fallback). */
        void onChunk(ObjectNode chunk);

        /** {@code [DONE]} or a clean end of the upstream stream. */
        void onEnd();

        /**
         * The request failed. {@code beforeFirstChunk} is true when no chunk was delivered yet (so the client can still
         * get a plain HTTP error); fallback has already been tried by then.
         */
        void onError(ApiError error, boolean beforeFirstChunk);
    }

    @FunctionalInterface
    interface Cancel {
        void cancel();
    }

    /** A failed non-streamed request, with the error the client should get. */
    final class BackendFailure extends RuntimeException {
        private final transient ApiError error;

        public BackendFailure(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        public ApiError error() {
            return error;
        }
    }
}
