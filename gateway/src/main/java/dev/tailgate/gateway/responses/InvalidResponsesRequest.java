package dev.tailgate.gateway.responses;

import dev.tailgate.wire.ApiError;

/** A Responses request the bridge cannot translate; carries the 400 (with {@code param}) to send back. */
public final class InvalidResponsesRequest extends RuntimeException {
    private final transient ApiError error;

    public InvalidResponsesRequest(String message, String param) {
        super(message, null, false, false);
        this.error = ApiError.badRequest(message, param);
    }

    public ApiError error() {
        return error;
    }
}
