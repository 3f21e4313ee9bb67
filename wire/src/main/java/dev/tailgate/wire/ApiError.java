package dev.tailgate.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;

/**
 * An error in the OpenAI shape: {@code {"error": {"message", "type", "param", "code"}}} with its HTTP status.
 * Both services answer every refusal with one of these; the factory methods fix status, type and code together
 * so that callers cannot mix them up. {@code retryAfter} becomes a {@code Retry-After} header.
 */
public record ApiError(int status, String type, String code, String message, String param, Duration retryAfter) {

    public ApiError {
        if (retryAfter != null && retryAfter.isNegative()) retryAfter = Duration.ZERO;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, "invalid_request_error", null, message, null, null);
    }

    public static ApiError badRequest(String message, String param) {
        return new ApiError(400, "invalid_request_error", null, message, param, null);
    }

    public static ApiError invalidApiKey() {
        return new ApiError(401, "invalid_request_error", "invalid_api_key",
                "Incorrect API key provided. Send a tailgate client key as 'Authorization: Bearer <key>'.", null, null);
    }

    public static ApiError insufficientBudget(String message) {
        return new ApiError(402, "insufficient_quota", "budget_exceeded", message, null, null);
    }

    public static ApiError modelNotAllowed(String model) {
        return new ApiError(403, "permission_error", "model_not_allowed",
                "This key may not use model '" + model + "'.", "model", null);
    }

    /** A valid client key without {@code admin: true} asked for an admin-only view ({@code /admin/*}, the status page). */
    public static ApiError adminRequired() {
        return new ApiError(403, "permission_error", "admin_required",
                "This key is not an admin key. Create one with: ./tailgate keys create NAME --admin", null, null);
    }

    public static ApiError modelNotFound(String model) {
        return new ApiError(404, "invalid_request_error", "model_not_found",
                "The model '" + model + "' does not exist.", "model", null);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "invalid_request_error", "not_found", message, null, null);
    }

    public static ApiError methodNotAllowed(String message) {
        return new ApiError(405, "invalid_request_error", "method_not_allowed", message, null, null);
    }

    public static ApiError tooLarge(long limitBytes) {
        return new ApiError(413, "invalid_request_error", "request_too_large",
                "Request body is larger than the limit of " + limitBytes + " bytes.", null, null);
    }

    public static ApiError unsupportedMediaType(String message) {
        return new ApiError(415, "invalid_request_error", "unsupported_media_type", message, null, null);
    }

    public static ApiError queueFull(String what, int queueLength, Duration retryAfter) {
        return new ApiError(429, "rate_limit_error", "queue_full",
                what + " is busy and its queue is full (" + queueLength + " waiting). Retry later.", null, retryAfter);
    }

    public static ApiError rateLimited(String message, Duration retryAfter) {
        return new ApiError(429, "rate_limit_error", "rate_limited", message, null, retryAfter);
    }

    public static ApiError upstream(String message) {
        return new ApiError(502, "api_error", "upstream_error", message, null, null);
    }

    public static ApiError noPrivateRoute(String model) {
        return new ApiError(503, "api_error", "no_private_route",
                "Request is private and no local provider can serve model '" + model + "'. It was not sent to any external provider.",
                null, Duration.ofSeconds(5));
    }

    /**
     * Private and no local target could serve it; {@code why} names each local target's failure and the external
     * targets skipped for privacy. {@code retryAfter} null: retrying will not help until the operator acts.
     */
    public static ApiError noPrivateRoute(String model, String why, Duration retryAfter) {
        return new ApiError(503, "api_error", "no_private_route",
                "Request is private and no local provider could serve model '" + model + "': " + why
                        + ". It was not sent to any external provider.", null, retryAfter);
    }

    /**
     * The model cannot be served until the operator acts (model file missing, wrong capability, unknown upstream
     * model): not a temporary outage, so no Retry-After, and {@link #needsOperator()} makes both services add
     * {@code x-should-retry: false} so SDKs show the message at once instead of retrying.
     */
    public static ApiError modelUnavailable(String message) {
        return new ApiError(503, "api_error", MODEL_UNAVAILABLE, message, null, null);
    }

    /** The code of {@link #modelUnavailable}. */
    public static final String MODEL_UNAVAILABLE = "model_unavailable";

    /** Retrying cannot help until the operator acts: answered with {@code x-should-retry: false} and no Retry-After. */
    public boolean needsOperator() {
        return retryAfter == null && (MODEL_UNAVAILABLE.equals(code) || ("no_private_route".equals(code)));
    }

    /** qwen-local is downloading the model's file: temporary, so Retry-After (the download's ETA, capped). */
    public static ApiError modelDownloading(String message, Duration retryAfter) {
        return new ApiError(503, "api_error", "model_downloading", message, "model", retryAfter);
    }

    public static ApiError unavailable(String message, Duration retryAfter) {
        return new ApiError(503, "api_error", "unavailable", message, null, retryAfter);
    }

    public static ApiError timeout(String message) {
        return new ApiError(504, "api_error", "upstream_timeout", message, null, null);
    }

    public static ApiError internal(String message) {
        return new ApiError(500, "api_error", "internal_error", message, null, null);
    }

    /** The JSON body. Never carries a stack trace. */
    public ObjectNode toJson() {
        ObjectNode root = Json.object();
        ObjectNode err = root.putObject("error");
        err.put("message", message);
        err.put("type", type);
        if (param == null) err.putNull("param"); else err.put("param", param);
        if (code == null) err.putNull("code"); else err.put("code", code);
        return root;
    }

    public byte[] toBytes() {
        return Json.bytes(toJson());
    }

    /** Seconds for the Retry-After header, rounded up and at least 1; null when the refusal has none. */
    public String retryAfterHeader() {
        if (retryAfter == null) return null;
        long ms = retryAfter.toMillis();
        return Long.toString(Math.max(1, (ms + 999) / 1000));
    }
}
