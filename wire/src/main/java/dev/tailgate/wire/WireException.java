package dev.tailgate.wire;

/** A request that does not follow the OpenAI wire format; becomes a 400 {@code invalid_request_error} naming {@code param}. */
public final class WireException extends RuntimeException {
    private final String param;

    public WireException(String message, String param) {
        super(message, null, false, false);
        this.param = param;
    }

    public String param() {
        return param;
    }

    public ApiError toApiError() {
        return ApiError.badRequest(getMessage(), param);
    }
}
