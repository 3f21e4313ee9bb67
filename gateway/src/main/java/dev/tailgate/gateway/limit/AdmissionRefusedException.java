package dev.tailgate.gateway.limit;

import dev.tailgate.wire.ApiError;

/** A limiter said no; {@link #error()} is the OpenAI-shaped answer to send (429/402 with Retry-After when it has one). */
public final class AdmissionRefusedException extends RuntimeException {
    private final transient ApiError error;

    public AdmissionRefusedException(ApiError error) {
        super(error.message(), null, false, false); // no stack trace: a refusal is not a bug
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
