package dev.tailgate.gateway.messages;

import dev.tailgate.wire.ApiError;

/** A Messages request the bridge cannot translate; carries the 400 (with {@code param}) to send back. */
public final class InvalidMessagesRequest extends RuntimeException {
    private final transient ApiError error;

    public InvalidMessagesRequest(String message, String param) {
        super(message, null, false, false);
        this.error = ApiError.badRequest(message, param);
    }

    public ApiError error() {
        return error;
    }
}
