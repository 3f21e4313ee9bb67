package dev.tailgate.gateway;

import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Printable;

/**
 * The rule for a model name a client sends, on every endpoint (JSON or multipart): one with control characters is
 * refused with 400 naming {@code model}. Such a name could forge access-log lines or send escapes to a terminal; no
 * configured alias contains one, so refusing costs nothing.
 */
public final class ModelNames {
    private ModelNames() {}

    /** Throws 400 {@code invalid_request_error} (param {@code model}) when {@code name} holds a control character. */
    public static String require(String name) {
        if (Printable.hasControl(name)) {
            throw new ApiException(ApiError.badRequest("'model' must not contain control characters (got '"
                    + Printable.escape(name) + "')", "model"));
        }
        return name;
    }
}
