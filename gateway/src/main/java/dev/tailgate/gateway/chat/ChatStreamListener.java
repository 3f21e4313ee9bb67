package dev.tailgate.gateway.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.ApiError;

/**
 * Receives a streamed chat completion, on the event loop of the request, in order: {@link #onChunk} per upstream
 * event (the parsed {@code chat.completion.chunk}, model already set back to the alias), then exactly one of
 * {@link #onComplete} or {@link #onError}. Callbacks must be fast and must not block.
 */
public interface ChatStreamListener {
    void onChunk(ObjectNode chunk);

    void onComplete();

    /**
     * The call failed. {@code afterFirstChunk} false: nothing was delivered, and {@code error} carries the status the
     * client should get (e.g. 404, 429 with Retry-After, 502, 504). True: the stream broke midway.
     */
    void onError(ApiError error, boolean afterFirstChunk);
}
