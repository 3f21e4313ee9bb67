package dev.tailgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.auth.Authenticator;
import dev.tailgate.gateway.auth.Caller;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import dev.tailgate.gateway.observe.RequestListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The request entry: request id, the request's lifecycle (access log, usage row and metrics are its
 * {@link RequestListener}s), path/method routing (404/405), client-key authentication (401), content-type and
 * body-size checks (415/413), JSON parsing (400), then the route handler.
 * Unauthenticated operational routes ({@code /health}, {@code /status}, {@code /metrics}) bypass the key check;
 * admin routes ({@code /admin/*}) need an admin key ({@link AdminGate}): none or an invalid one is 401, a valid
 * non-admin key 403.
 */
public final class GatewayRouter implements Handler<HttpServerRequest>, RouteRegistry {
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private interface Route {
        void handle(Exchange ex);
    }

    private enum Access { OPEN, CLIENT, ADMIN }

    private record Entry(Access access, Route route) {}

    private final Gateway gateway;
    private final Supplier<Boolean> draining;
    private final Map<String, Map<HttpMethod, Entry>> exact = new LinkedHashMap<>();
    private final Map<String, Map<HttpMethod, Entry>> prefixes = new LinkedHashMap<>();
    private final java.util.List<Map.Entry<java.util.function.Predicate<HttpServerRequest>, ErrorFormat>> errorFormats = new java.util.ArrayList<>();

    private final AdminGate adminGate;
    /** What every request's lifecycle reports to, in this order: the metrics read the cost the usage row settled. */
    private final List<RequestListener> listeners;

    public GatewayRouter(Gateway gateway, Supplier<Boolean> draining, AdminGate adminGate) {
        this.gateway = gateway;
        this.draining = draining;
        this.adminGate = adminGate;
        this.listeners = List.of(new AccessLog(), new UsageRow(gateway.policy()), gateway.metrics().requests(gateway::config));
    }

    public void open(HttpMethod method, String path, RawRoute route) {
        exact.computeIfAbsent(path, k -> new MethodRoutes()).put(method, new Entry(Access.OPEN, route::handle));
    }

    /** A route only admin keys may use (header or status-page session). */
    public void admin(HttpMethod method, String path, RawRoute route) {
        exact.computeIfAbsent(path, k -> new MethodRoutes()).put(method, new Entry(Access.ADMIN, route::handle));
    }

    /** A route for every path starting with {@code prefix} (e.g. {@code /v1/models/} + id). */
    public void rawPrefix(HttpMethod method, String prefix, RawRoute route) {
        prefixes.computeIfAbsent(prefix, k -> new MethodRoutes()).put(method, new Entry(Access.CLIENT, route::handle));
    }

    @Override
    public void raw(HttpMethod method, String path, RawRoute route) {
        exact.computeIfAbsent(path, k -> new MethodRoutes()).put(method, new Entry(Access.CLIENT, route::handle));
    }

    @Override
    public void json(HttpMethod method, String path, JsonRoute route) {
        json(method, path, (body, raw) -> null, (ex, body, raw, none) -> route.handle(ex, body, raw));
    }

    @Override
    public <T> void json(HttpMethod method, String path, java.util.function.BiFunction<ObjectNode, Buffer, T> prepare, PreparedJsonRoute<T> route) {
        exact.computeIfAbsent(path, k -> new MethodRoutes()).put(method, new Entry(Access.CLIENT, ex -> readJson(ex, prepare, route)));
    }

    @Override
    public void errorFormat(java.util.function.Predicate<HttpServerRequest> applies, ErrorFormat format) {
        errorFormats.add(Map.entry(applies, format));
    }

    @Override
    public void handle(HttpServerRequest req) {
        String given = req.getHeader("X-Request-Id");
        String rid = given != null && SAFE_ID.matcher(given).matches() ? given : newRequestId();
        String path = req.path();
        RequestContext ctx = new RequestContext(rid, System.nanoTime(), req.method().name(), path);
        ctx.endpoint(metricPath(path));
        Exchange ex = new Exchange(req, ctx, gateway.bodyBudget().lease(), listeners);
        for (var f : errorFormats) {
            if (f.getKey().test(req)) {
                ex.errorFormat(f.getValue());
                break;
            }
        }
        req.response().putHeader("X-Request-Id", rid);
        try {
            route(ex, path);
        } catch (RuntimeException e) {
            ex.fail(ApiException.of(e));
        }
    }

    /**
     * A random (version 4) UUID from {@link java.util.concurrent.ThreadLocalRandom}: a request id names a request, it
     * guards nothing, and {@link UUID#randomUUID()}'s SecureRandom takes a lock and reads /dev/urandom every few calls.
     */
    static String newRequestId() {
        var random = java.util.concurrent.ThreadLocalRandom.current();
        long hi = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long lo = (random.nextLong() & ~(0x3L << 62)) | (0x2L << 62); // IETF variant
        return new UUID(hi, lo).toString();
    }

    private void route(Exchange ex, String path) {
        HttpServerRequest req = ex.request();
        Map<HttpMethod, Entry> byMethod = exact.get(path);
        if (byMethod == null) {
            for (var p : prefixes.entrySet()) {
                if (path.startsWith(p.getKey()) && path.length() > p.getKey().length()) {
                    byMethod = p.getValue();
                    break;
                }
            }
        }
        if (byMethod == null) {
            ex.fail(ApiError.notFound("Unknown path " + path + ". The gateway serves " + servedPaths() + "."));
            return;
        }
        Entry entry = byMethod.get(req.method());
        if (entry == null) {
            String allow = byMethod.keySet().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
            req.response().putHeader("Allow", allow);
            ex.fail(ApiError.methodNotAllowed("Method " + req.method() + " is not allowed on " + path + " (allowed: " + allow + ")."));
            return;
        }
        if (entry.access() == Access.ADMIN) {
            AdminGate.Check check = adminGate.check(req);
            switch (check.verdict()) {
                case NO_KEY, INVALID_KEY -> ex.fail(ApiError.invalidApiKey());
                case NOT_ADMIN -> ex.fail(ApiError.adminRequired());
                case ADMIN -> {
                    ex.ctx().caller(check.caller());
                    entry.route().handle(ex);
                }
            }
            return;
        }
        if (entry.access() == Access.CLIENT) {
            if (draining.get()) {
                ex.fail(ApiError.unavailable("The gateway is shutting down.", Duration.ofSeconds(5)));
                return;
            }
            Caller caller = gateway.snapshot().authenticator().authenticate(Authenticator.presentedKey(req.headers()));
            if (caller == null) {
                ex.fail(ApiError.invalidApiKey());
                return;
            }
            ex.ctx().caller(caller);
            // read once, here, for every authenticated endpoint (400 for a value that is neither private nor public)
            ex.ctx().privateHeader(dev.tailgate.gateway.policy.Privacy.headerSaysPrivate(req.headers().getAll(dev.tailgate.gateway.policy.Privacy.HEADER)));
        }
        entry.route().handle(ex);
    }

    /** The body parsed and prepared (see {@link RouteRegistry#json(HttpMethod, String, java.util.function.BiFunction, PreparedJsonRoute)}). */
    private record Parsed<T>(ObjectNode body, T prepared) {}

    private <T> void readJson(Exchange ex, java.util.function.BiFunction<ObjectNode, Buffer, T> prepare, PreparedJsonRoute<T> route) {
        HttpServerRequest req = ex.request();
        String ct = req.getHeader("Content-Type");
        if (ct != null && !ct.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            ex.fail(ApiError.unsupportedMediaType("Content-Type must be application/json (got " + ct.split(";")[0] + ")."));
            return;
        }
        BodyReader.read(ex, gateway.config().maxBody(), gateway.bodyBudget()).onComplete(ar -> {
            if (ar.failed()) {
                ex.fail(ApiException.of(ar.cause()));
                return;
            }
            Buffer raw = ar.result();
            if (raw.length() <= INLINE_PARSE_BYTES) {
                handleParsed(ex, route, raw, () -> parse(raw, prepare));
                return;
            }
            // a large body (3e5 array items held an event loop for seconds) is parsed and prepared on a worker; the
            // route then runs on this request's event loop again
            gateway.vertx().executeBlocking(() -> parse(raw, prepare), false)
                    .onComplete(parsed -> handleParsed(ex, route, raw, () -> {
                        if (parsed.failed()) throw parsed.cause() instanceof RuntimeException re ? re : new IllegalStateException(parsed.cause());
                        return parsed.result();
                    }));
        });
    }

    /** Bodies up to this size are parsed on the event loop (cheaper than a hop to a worker and back). */
    static final int INLINE_PARSE_BYTES = 64 * 1024;

    private static <T> Parsed<T> parse(Buffer raw, java.util.function.BiFunction<ObjectNode, Buffer, T> prepare) {
        if (!utf8(raw)) throw new ApiException(ApiError.badRequest("request body must be JSON in UTF-8"));
        JsonNode n = Json.parse(raw.getBytes());
        if (!(n instanceof ObjectNode o)) throw new ApiException(ApiError.badRequest("request body must be a JSON object"));
        return new Parsed<>(o, prepare.apply(o, raw));
    }

    private static <T> void handleParsed(Exchange ex, PreparedJsonRoute<T> route, Buffer raw, Supplier<Parsed<T>> parsed) {
        try {
            Parsed<T> p = parsed.get();
            route.handle(ex, p.body(), raw, p.prepared());
        } catch (RuntimeException e) {
            ex.fail(ApiException.of(e));
        }
    }

    /**
     * Jackson would read UTF-16/32 JSON (told apart by a byte-order mark or zero bytes up front), but the body is
     * forwarded as sent and upstreams expect UTF-8 (RFC 8259): refuse it here rather than let a provider choke on it.
     */
    private static boolean utf8(io.vertx.core.buffer.Buffer b) {
        int n = Math.min(4, b.length());
        if (n >= 2 && ((b.getByte(0) == (byte) 0xFE && b.getByte(1) == (byte) 0xFF) || (b.getByte(0) == (byte) 0xFF && b.getByte(1) == (byte) 0xFE))) {
            return false;
        }
        for (int i = 0; i < n; i++) if (b.getByte(i) == 0) return false;
        return true;
    }

    /**
     * The registered paths for the 404 message, from the route table itself so it never falls behind: sub-paths of a
     * listed path ({@code /v1/models/{id}}, {@code /ui/login}) are left out to keep it short.
     */
    private String servedPaths() {
        java.util.List<String> all = new java.util.ArrayList<>(exact.keySet());
        prefixes.keySet().forEach(p -> all.add(p + "{id}"));
        return all.stream().filter(p -> all.stream().noneMatch(q -> p.startsWith(q + "/"))).collect(Collectors.joining(", "));
    }

    private String metricPath(String path) {
        if (exact.containsKey(path)) return path;
        for (String p : prefixes.keySet()) if (path.startsWith(p)) return p + "*";
        return "other";
    }

    /** Per-method routes, in registration order (HttpMethod is a class in Vert.x 5, not an enum). */
    private static final class MethodRoutes extends LinkedHashMap<HttpMethod, Entry> {}
}
