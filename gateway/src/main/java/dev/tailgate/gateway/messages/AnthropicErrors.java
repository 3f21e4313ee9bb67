package dev.tailgate.gateway.messages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.http.ErrorFormat;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.http.HttpServerRequest;

/**
 * The gateway's refusals in Anthropic's shape, {@code {"type":"error","error":{"type":...,"message":...}}}, with the
 * statuses Anthropic's SDKs map to their error classes: 400 invalid_request_error, 401 authentication_error,
 * 402 billing_error, 403 permission_error, 404 not_found_error, 413 request_too_large, 429 rate_limit_error,
 * 500 api_error, 504 timeout_error, 529 overloaded_error. The gateway's 503 (no healthy or private target, draining)
 * is Anthropic's 529 and its 502 (upstream failed) a 500. 429 and 529 always carry {@code retry-after}: both are
 * refusals that may succeed later.
 */
final class AnthropicErrors {
    /** Used for 529s whose cause named no retry time. */
    static final String DEFAULT_RETRY_SECONDS = "5";

    static final ErrorFormat FORMAT = AnthropicErrors::render;

    private AnthropicErrors() {}

    /** Requests answered in Anthropic's shape: everything under /v1/messages, and any request saying anthropic-version. */
    static boolean applies(HttpServerRequest request) {
        String path = request.path();
        return path.equals("/v1/messages") || path.startsWith("/v1/messages/") || request.getHeader("anthropic-version") != null;
    }

    static ErrorFormat.Rendered render(ApiError error) {
        int status = status(error.status());
        String retryAfter = error.retryAfterHeader();
        if (retryAfter == null && (status == 429 || status == 529)) retryAfter = status == 429 ? "1" : DEFAULT_RETRY_SECONDS;
        return new ErrorFormat.Rendered(status, Json.bytes(body(error)), retryAfter);
    }

    /** The error object (also the data of a stream's {@code error} event). */
    static ObjectNode body(ApiError error) {
        ObjectNode body = Json.object().put("type", "error");
        body.putObject("error").put("type", type(status(error.status()))).put("message", error.message());
        return body;
    }

    static int status(int gatewayStatus) {
        return switch (gatewayStatus) {
            case 503 -> 529;
            case 502 -> 500;
            default -> gatewayStatus;
        };
    }

    private static String type(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 504 -> "timeout_error";
            case 529 -> "overloaded_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }
}
