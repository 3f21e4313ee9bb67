package dev.tailgate.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** Fetches a service's {@code GET /status} with short timeouts: a status command must never hang. */
final class StatusClient {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Duration timeout;

    /** Either a JSON body (whatever the HTTP status: a 503 with a status body is an answer) or a one-line error. */
    record Result(URI uri, int httpStatus, JsonNode body, String error) {
        boolean ok() {
            return body != null;
        }
    }

    private final HttpClient http;

    StatusClient() {
        this(DEFAULT_TIMEOUT);
    }

    /** {@code timeout} bounds the connect and, separately, the whole answer. */
    StatusClient(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private String seconds() {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms";
    }

    Result get(URI uri, String bearer) {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("Accept", "application/json");
        if (bearer != null && !bearer.isBlank()) req.header("Authorization", "Bearer " + bearer);
        try {
            HttpResponse<byte[]> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() == 401 || resp.statusCode() == 403) {
                return new Result(uri, resp.statusCode(), null,
                        "HTTP " + resp.statusCode() + ": it wants a client key (pass --key or set TAILGATE_KEY)");
            }
            JsonNode body;
            try {
                body = Json.parse(resp.body());
            } catch (Json.BadJsonException e) {
                return new Result(uri, resp.statusCode(), null,
                        "HTTP " + resp.statusCode() + " without a JSON status (is this a tailgate service?)");
            }
            if (!body.isObject() || !body.has("status")) {
                return new Result(uri, resp.statusCode(), null,
                        "HTTP " + resp.statusCode() + ": the JSON is not a tailgate status (no \"status\" field)");
            }
            return new Result(uri, resp.statusCode(), body, null);
        } catch (HttpConnectTimeoutException e) {
            return new Result(uri, 0, null, "no connection within " + seconds());
        } catch (HttpTimeoutException e) {
            return new Result(uri, 0, null, "no answer within " + seconds());
        } catch (ConnectException e) {
            return new Result(uri, 0, null, "connection refused (is it running?)");
        } catch (IOException e) {
            return new Result(uri, 0, null, Main.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(uri, 0, null, "interrupted");
        }
    }
}
