package dev.tailgate.gateway;

import dev.tailgate.wire.ApiError;

/** Carries an {@link ApiError} through futures and call stacks; the HTTP layer turns it into the OpenAI error body. */
public final class ApiException extends RuntimeException {
    private final ApiError error;

    public ApiException(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }

    /** The ApiError behind any failure; unexpected exceptions become a 500 without their details. */
    public static ApiError of(Throwable t) {
        if (t instanceof ApiException a) return a.error;
        if (t instanceof dev.tailgate.wire.WireException w) return w.toApiError();
        if (t instanceof dev.tailgate.wire.Json.BadJsonException b) return ApiError.badRequest(b.getMessage());
        return ApiError.internal("internal error (" + t.getClass().getSimpleName() + ")");
    }
}
