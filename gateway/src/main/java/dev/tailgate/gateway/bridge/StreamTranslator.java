package dev.tailgate.gateway.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.ApiError;

/** Turns a chat-completions stream into another API's stream events, chunk by chunk (one per streamed request). */
public interface StreamTranslator {
    /** The client stream was opened (its first events went out). */
    boolean started();

    /** The terminal event went out; nothing more will be written. */
    boolean finished();

    /** Opens the client stream; called by the first chunk if not before. */
    void start();

    /** One parsed chat-completion chunk. */
    void onChunk(JsonNode chunk);

    /** The upstream ended cleanly: the terminal events. */
    void onEnd();

    /** The upstream failed or was cut after the stream started. */
    void onError(ApiError error);

    /** A keep-alive while the upstream is quiet, for APIs that have one. */
    default void ping() {}
}
