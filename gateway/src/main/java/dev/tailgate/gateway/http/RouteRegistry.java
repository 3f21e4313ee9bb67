package dev.tailgate.gateway.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Where routes are registered, including extra ones from other packages (e.g. {@code POST /v1/responses}).
 * All routes registered here require a client key; the router answers 401/404/405/413/415 before a handler runs.
 */
public interface RouteRegistry {
    /** A JSON route: the body is read (up to {@code max_body}), must be a JSON object, and is handed over parsed and raw. */
    void json(HttpMethod method, String path, JsonRoute route);

    /**
     * A JSON route whose {@code prepare} step (typed validation, estimates: pure work on the parsed body, no I/O) runs
     * where the body is parsed — on a worker for a large body, so that a body of 300,000 messages does not hold an event
     * loop — and whose result is handed to the route, which runs on the request's event loop.
     */
    <T> void json(HttpMethod method, String path, java.util.function.BiFunction<ObjectNode, Buffer, T> prepare, PreparedJsonRoute<T> route);

    /** A route that reads the body itself (multipart uploads, GETs). */
    void raw(HttpMethod method, String path, RawRoute route);

    /** Refusals of requests matching {@code applies} (checked before routing, so 401/404 too) are written in {@code format}. */
    void errorFormat(java.util.function.Predicate<io.vertx.core.http.HttpServerRequest> applies, ErrorFormat format);

    interface JsonRoute {
        void handle(Exchange exchange, ObjectNode body, Buffer rawBody);
    }

    interface PreparedJsonRoute<T> {
        void handle(Exchange exchange, ObjectNode body, Buffer rawBody, T prepared);
    }

    interface RawRoute {
        void handle(Exchange exchange);
    }
}
