package dev.tailgate.local.sched;

import dev.tailgate.wire.ApiError;

/** The scheduler refused a job up front (queue full, model unavailable, shutting down). */
public final class Rejected extends Exception {
    private final ApiError error;

    public Rejected(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
