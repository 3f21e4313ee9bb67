package dev.tailgate.gateway.statuspage;

import static dev.tailgate.gateway.statuspage.Html.esc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.auth.AdminSessions;
import dev.tailgate.gateway.http.AdminGate;
import dev.tailgate.gateway.http.Exchange;
import dev.tailgate.gateway.http.GatewayRouter;
import dev.tailgate.gateway.ledger.GroupBy;
import dev.tailgate.gateway.ledger.Ledger;
import dev.tailgate.gateway.ledger.UsageRecord;
import dev.tailgate.gateway.ledger.UsageSummary;
import dev.tailgate.gateway.policy.AuditEntry;
import dev.tailgate.wire.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The status page at {@code /ui}: server-rendered HTML for admins (providers, qwen-local, recent requests, usage with
 * charts, the routing audit log with filters), kept live by a small script that polls the sections' fragments
 * ({@code /ui/part/*}) and swaps them in. Everything is served by the gateway itself; no build step, no CDN.
 *
 * <p>Access: an admin key, as a header or through a login form that trades it for an HttpOnly, SameSite=Strict
 * session cookie ({@link AdminSessions}). Without a key the page answers 401 with the login form, with a non-admin
 * key 403; the fragments answer the OpenAI-shaped 401/403. Every HTML answer carries a Content-Security-Policy that
 * allows only the gateway's own script and stylesheet (no inline script or style), so a model name that slipped past
 * escaping still could not run.
 */
public final class StatusPage {
    public static final String PATH = "/ui";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
            + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final int MAX_FORM_BYTES = 4096;
    private static final int RECENT_REQUESTS = 50;
    private static final int USAGE_DAYS = 14;
    /** How many ledger rows the audit view looks at to tell where a request was finally served. */
    private static final int FALLBACK_LOOKBACK = 1000;

    private final Gateway gateway;
    private final AdminGate gate;
    private final Supplier<ObjectNode> status;
    private final Clock clock;
    private final String script = resource("app.js");
    private final String style = resource("app.css");

    /** @param status the admin view of {@code /status} (providers, models, qwen-local) */
    public StatusPage(Gateway gateway, AdminGate gate, Supplier<ObjectNode> status, Clock clock) {
        this.gateway = gateway;
        this.gate = gate;
        this.status = status;
        this.clock = clock;
    }

    public void register(GatewayRouter router) {
        router.open(HttpMethod.GET, PATH, this::page);
        router.open(HttpMethod.POST, PATH + "/login", this::login);
        router.open(HttpMethod.POST, PATH + "/logout", this::logout);
        router.open(HttpMethod.GET, PATH + "/app.js", ex -> asset(ex, "text/javascript; charset=utf-8", script));
        router.open(HttpMethod.GET, PATH + "/app.css", ex -> asset(ex, "text/css; charset=utf-8", style));
        router.admin(HttpMethod.GET, PATH + "/part/providers", ex -> html(ex, 200, Parts.providers(status.get())));
        router.admin(HttpMethod.GET, PATH + "/part/local", ex -> html(ex, 200, Parts.local(status.get())));
        router.admin(HttpMethod.GET, PATH + "/part/requests", ex -> blocking(ex, this::requests));
        router.admin(HttpMethod.GET, PATH + "/part/usage", ex -> blocking(ex, this::usage));
        router.admin(HttpMethod.GET, PATH + "/part/audit",
                ex -> blocking(ex, () -> audit(AuditFilter.parse(ex.request().getParam("filter")))));
    }

    // ---- the page and its login ----

    private void page(Exchange ex) {
        AdminGate.Check check = gate.check(ex.request());
        switch (check.verdict()) {
            case NO_KEY -> html(ex, 401, loginPage(null));
            case INVALID_KEY -> html(ex, 401, loginPage("That key is not valid (or the session expired). Log in again."));
            case NOT_ADMIN -> html(ex, 403, loginPage("The key of client '" + check.caller().name()
                    + "' is not an admin key. Create one with: ./tailgate keys create NAME --admin"));
            case ADMIN -> blocking(ex, () -> fullPage(check.caller().name(), AuditFilter.parse(ex.request().getParam("audit"))));
        }
    }

    private void login(Exchange ex) {
        Buffer body = Buffer.buffer();
        boolean[] tooLarge = {false};
        ex.request().handler(chunk -> {
            if (body.length() + chunk.length() > MAX_FORM_BYTES) tooLarge[0] = true;
            else body.appendBuffer(chunk);
        });
        ex.request().exceptionHandler(err -> ex.fail(ApiError.badRequest("could not read the login form")));
        ex.request().endHandler(v -> {
            if (tooLarge[0]) {
                ex.fail(ApiError.tooLarge(MAX_FORM_BYTES));
                return;
            }
            String key = formField(body.toString(StandardCharsets.UTF_8), "key");
            AdminGate.Check check = gate.check(key == null ? null : key.trim());
            switch (check.verdict()) {
                case NO_KEY, INVALID_KEY -> html(ex, 401, loginPage("That key is not valid."));
                case NOT_ADMIN -> html(ex, 403, loginPage("The key of client '" + check.caller().name()
                        + "' is not an admin key. Create one with: ./tailgate keys create NAME --admin"));
                case ADMIN -> {
                    String token = gate.sessions().open(key.trim());
                    ex.response().setStatusCode(303).putHeader("Location", PATH)
                            .putHeader("Set-Cookie", AdminSessions.COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                                    + AdminSessions.TTL.toSeconds())
                            .putHeader("Cache-Control", "no-store").end();
                }
            }
        });
    }

    private void logout(Exchange ex) {
        gate.sessions().close(ex.request().getHeader("Cookie"));
        ex.response().setStatusCode(303).putHeader("Location", PATH)
                .putHeader("Set-Cookie", AdminSessions.COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
                .putHeader("Cache-Control", "no-store").end();
    }

    static String formField(String form, String name) {
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) continue;
            try {
                if (URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                return null; // a malformed %-escape: treated as no key
            }
        }
        return null;
    }

    private static String loginPage(String message) {
        return head("Tailgate — log in") + "<main class=\"login\"><h1>Tailgate status</h1>"
                + (message == null ? "" : "<p class=\"error\" id=\"login-error\">" + esc(message) + "</p>")
                + "<form method=\"post\" action=\"" + PATH + "/login\"><label>Admin key <input type=\"password\" name=\"key\""
                + " id=\"key\" autocomplete=\"current-password\" required></label> <button type=\"submit\" id=\"login\">Log in</button></form>"
                + "<p class=\"hint\">The page needs a client key with <code>admin: true</code>"
                + " (<code>./tailgate keys create NAME --admin</code>). Logging in keeps a session cookie for "
                + AdminSessions.TTL.toHours() + " h; the key itself is not stored by the browser.</p></main></body></html>";
    }

    private String fullPage(String admin, AuditFilter filter) throws Exception {
        ObjectNode s = status.get();
        return head("Tailgate status") + "<header><h1>Tailgate status</h1><span class=\"live\">live · updated <span id=\"updated\">"
                + esc(Instant.now(clock).toString()) + "</span></span><form method=\"post\" action=\"" + PATH
                + "/logout\"><span class=\"who\">" + esc(admin) + "</span> <button type=\"submit\" id=\"logout\">Log out</button></form></header>"
                + section("providers", "Providers, health and routes", Parts.providers(s), 1000)
                + section("local", "qwen-local", Parts.local(s), 1000)
                + section("requests", "Recent requests", requests(), 2000)
                + section("audit", "Routing decisions (audit log)", audit(filter), 2000)
                + section("usage", "Usage", usage(), 5000)
                + "<script src=\"" + PATH + "/app.js\"></script></body></html>";
    }

    private static String section(String part, String title, String body, int refreshMs) {
        return "<section><h2>" + esc(title) + "</h2><div id=\"part-" + part + "\" data-part=\"" + part + "\" data-refresh=\""
                + refreshMs + "\">" + body + "</div></section>";
    }

    private static String head(String title) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
                + "<title>" + esc(title) + "</title><link rel=\"stylesheet\" href=\"" + PATH + "/app.css\"></head><body>";
    }

    // ---- the sections that read the ledger (blocking JDBC: off the event loop) ----

    private String requests() throws Exception {
        Ledger ledger = gateway.policy().ledger().orElse(null);
        return Parts.requests(ledger == null ? null : ledger.recent(RECENT_REQUESTS));
    }

    private String usage() throws Exception {
        Ledger ledger = gateway.policy().ledger().orElse(null);
        if (ledger == null) return Parts.usage(null, null, null, USAGE_DAYS);
        Instant to = Instant.now(clock);
        Instant from = to.atZone(ZoneOffset.UTC).toLocalDate().minusDays(USAGE_DAYS - 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = to.plus(Duration.ofSeconds(1));
        return Parts.usage(ledger.summary(from, end, Set.of(GroupBy.DAY)), ledger.summary(from, end, Set.of(GroupBy.CLIENT)),
                ledger.summary(from, end, Set.of(GroupBy.MODEL)), USAGE_DAYS);
    }

    private String audit(AuditFilter filter) throws Exception {
        List<AuditEntry> newestFirst = new ArrayList<>(gateway.policy().audit().recent(Integer.MAX_VALUE));
        Collections.reverse(newestFirst);
        Map<String, String> fellBackTo = new HashMap<>();
        Ledger ledger = gateway.policy().ledger().orElse(null);
        if (ledger != null) {
            Map<String, String> chosen = new HashMap<>();
            newestFirst.forEach(e -> { if (e.chosen() != null) chosen.put(e.requestId(), e.chosen()); });
            for (UsageRecord r : ledger.recent(FALLBACK_LOOKBACK)) {
                String first = chosen.get(r.requestId());
                if (first == null || r.provider() == null || r.upstreamModel() == null) continue;
                String servedBy = r.provider() + "/" + r.upstreamModel();
                if (!servedBy.equals(first)) fellBackTo.put(r.requestId(), servedBy);
            }
        }
        return Parts.audit(newestFirst, filter, fellBackTo);
    }

    // ---- answers ----

    private void blocking(Exchange ex, Callable<String> render) {
        gateway.vertx().executeBlocking(render, false).onComplete(ar -> {
            if (ar.succeeded()) html(ex, 200, ar.result());
            else ex.fail(ApiError.unavailable("the status page could not be rendered: " + ar.cause().getClass().getSimpleName(), Duration.ofSeconds(1)));
        });
    }

    private static void html(Exchange ex, int status, String body) {
        HttpServerResponse r = ex.response();
        if (r.ended() || r.closed()) return;
        secure(r).setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8").end(body);
    }

    private static void asset(Exchange ex, String type, String body) {
        secure(ex.response()).putHeader("Content-Type", type).end(body);
    }

    private static HttpServerResponse secure(HttpServerResponse r) {
        return r.putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer").putHeader("Cache-Control", "no-store");
    }

    private static String resource(String name) {
        try (InputStream in = StatusPage.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("status page resource " + name + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read status page resource " + name, e);
        }
    }
}
