package dev.tailgate.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * CORS for browser apps, off unless {@code cors_origins} lists origins (read per request, so a reload applies at once).
 * A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) from a listed origin is
 * answered here with 204; other requests from a listed origin go on to the router and get
 * {@code Access-Control-Allow-Origin} for that origin. An unlisted origin gets no CORS header at all, so the browser
 * refuses the response; its preflight goes to the router like any other OPTIONS request.
 */
public final class Cors {
    static final String ALLOW_METHODS = "GET, POST, OPTIONS";
    /** What the OpenAI and Anthropic SDKs and the gateway's own clients send. */
    static final List<String> ALLOW_HEADERS = List.of("Authorization", "Content-Type", "X-Tailgate-Private", "X-Request-Id",
            "x-api-key", "anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access", "OpenAI-Organization",
            "OpenAI-Project", "OpenAI-Beta");
    private static final Set<String> ALLOWED_LOWER = Set.copyOf(ALLOW_HEADERS.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
    /** Response headers a browser app may read (Retry-After and x-should-retry drive the SDKs' retries). */
    static final String EXPOSE_HEADERS = "X-Request-Id, Retry-After, x-should-retry";
    static final String MAX_AGE = "600";

    private final Supplier<List<String>> origins;

    public Cors(Supplier<List<String>> origins) {
        this.origins = origins;
    }

    public Handler<HttpServerRequest> wrap(Handler<HttpServerRequest> next) {
        return req -> {
            String origin = req.getHeader("Origin");
            if (origin == null || !origins.get().contains(origin.trim().toLowerCase(Locale.ROOT))) {
                next.handle(req);
                return;
            }
            HttpServerResponse res = req.response();
            res.putHeader("Access-Control-Allow-Origin", origin.trim()).putHeader("Vary", "Origin");
            if (req.method() == HttpMethod.OPTIONS && req.getHeader("Access-Control-Request-Method") != null) {
                res.setStatusCode(204)
                        .putHeader("Access-Control-Allow-Methods", ALLOW_METHODS)
                        .putHeader("Access-Control-Allow-Headers", allowHeaders(req.getHeader("Access-Control-Request-Headers")))
                        .putHeader("Access-Control-Max-Age", MAX_AGE)
                        .end();
                return;
            }
            res.putHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
            next.handle(req);
        };
    }

    /**
     * The fixed list, plus the requested {@code x-stainless-*} headers (the OpenAI and Anthropic SDKs send their
     * platform as such headers, and the browser refuses the call unless each one is allowed).
     */
    private static String allowHeaders(String requested) {
        List<String> out = new ArrayList<>(ALLOW_HEADERS);
        if (requested != null) {
            for (String h : requested.split(",")) {
                String name = h.trim().toLowerCase(Locale.ROOT);
                if (name.matches("x-stainless-[a-z0-9-]{1,64}") && !ALLOWED_LOWER.contains(name)) out.add(name);
            }
        }
        return String.join(", ", out);
    }
}
