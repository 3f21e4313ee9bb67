package dev.tailgate.local.http;

import dev.tailgate.wire.ApiError;

/** A request the API refuses while reading it; carries the OpenAI-shaped error to answer with. */
final class BadRequest extends RuntimeException {
    final ApiError error;

    BadRequest(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    static BadRequest of(String message, String param) {
        return new BadRequest(ApiError.badRequest(message, param));
    }
}
