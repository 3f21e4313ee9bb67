package dev.tailgate.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Turns an upstream non-2xx answer into the error the client sees. 4xx pass through with their status (OpenAI shape),
 * 401/403 become 502 (the provider rejected <em>the gateway's</em> key, not the client's), 503 and 429 keep their status
 * and {@code Retry-After} (the upstream is refusing for now and says when to come back: e.g. qwen-local's "model file
 * missing, run tailgate models pull"), other 5xx become 502. Every string taken from the upstream's body (message,
 * type, code, param) passes through the {@link SecretScrubber}, because some providers echo the key they were sent.
 */
public final class UpstreamErrors {
    private static final int MAX_MESSAGE = 500;

    private UpstreamErrors() {}

    public static UpstreamFailure fromResponse(SecretScrubber scrubber, ProviderConfig p, int status, Buffer body, String retryAfter) {
        String message = null, type = null, code = null, param = null;
        boolean openAiShaped = false;
        try {
            JsonNode n = Json.parse(body.getBytes());
            JsonNode e = n.get("error");
            if (e != null && e.isObject()) {
                openAiShaped = true;
                message = text(e.get("message"));
                type = text(e.get("type"));
                code = text(e.get("code"));
                param = text(e.get("param"));
            } else if (e != null && e.isTextual()) {
                message = e.asText();
            } else if (n.has("message")) {
                message = text(n.get("message"));
            }
        } catch (RuntimeException notJson) {
            message = body.length() == 0 ? null : body.getString(0, Math.min(body.length(), MAX_MESSAGE), "UTF-8");
        }
        message = scrubber.scrub(message);
        type = scrubber.scrub(type);
        code = scrubber.scrub(code);
        param = scrubber.scrub(param);
        String who = "provider '" + p.name() + "'";
        if (status == 401 || status == 403) {
            return new UpstreamFailure(new ApiError(502, "api_error", "upstream_auth_failed",
                    who + " rejected the gateway's credentials (HTTP " + status + "); check providers." + p.name() + ".api_key",
                    null, null), false);
        }
        if (status == 503) {
            // retryable: a fallback target may serve it; when none does, the client sees the upstream's own refusal
            // model_unavailable (qwen-local: model file missing) waits for the operator: no Retry-After to pass on
            return new UpstreamFailure(new ApiError(503, "api_error", code == null ? "unavailable" : code,
                    who + " is unavailable" + (message == null ? "" : ": " + message), param,
                    ApiError.MODEL_UNAVAILABLE.equals(code) ? null : retryAfter(retryAfter)), true, openAiShaped);
        }
        if (status >= 500) {
            return new UpstreamFailure(ApiError.upstream(who + " failed with HTTP " + status
                    + (message == null ? "" : ": " + message)), true);
        }
        if (status == 429) {
            return new UpstreamFailure(new ApiError(429, "rate_limit_error", code == null ? "rate_limited" : code,
                    who + " is rate limiting" + (message == null ? "" : ": " + message), param,
                    retryAfter(retryAfter)), false, openAiShaped);
        }
        return new UpstreamFailure(new ApiError(status, type == null ? "invalid_request_error" : type, code,
                message == null ? who + " refused the request with HTTP " + status : message, param, null), false);
    }

    public static UpstreamFailure connectFailed(ProviderConfig p, Throwable cause) {
        return new UpstreamFailure(ApiError.upstream("provider '" + p.name() + "' is unreachable ("
                + cause.getClass().getSimpleName() + ")"), true);
    }

    public static ApiError timeout(ProviderConfig p, String what, Duration d) {
        return ApiError.timeout("provider '" + p.name() + "' " + what + " within " + dev.tailgate.wire.Durations.format(d));
    }

    /** Seconds or an HTTP date; 1s when absent or unreadable, so every 429 still says when to retry. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) return Duration.ofSeconds(1);
        String h = header.trim();
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(h) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ofSeconds(1) : d;
            } catch (RuntimeException notDate) {
                return Duration.ofSeconds(1);
            }
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
