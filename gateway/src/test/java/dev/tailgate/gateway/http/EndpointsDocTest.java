package dev.tailgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.health.BreakerState;
import dev.tailgate.gateway.health.HealthState;
import dev.tailgate.gateway.statuspage.StatusPage;
import dev.tailgate.testing.DocTables;
import dev.tailgate.wire.Json;
import io.vertx.core.http.HttpMethod;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/endpoints.md (gateway table) and docs/status.md (gateway sections) against a running gateway: the routes it
 * registers are exactly the documented ones with their methods, each answers with the documented authentication, an
 * undocumented method is 405 naming the documented ones, and {@code /status}, {@code /admin/policy} and
 * {@code /metrics} carry exactly the documented fields and names.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EndpointsDocTest {
    private static final DocTables ENDPOINTS = DocTables.read("endpoints.md").section("Gateway");
    private static final DocTables STATUS_SUMMARY = DocTables.read("status.md").section("Gateway: `GET /status` without an admin key");
    private static final DocTables STATUS = DocTables.read("status.md").section("Gateway: `GET /status` with an admin key");
    private static final DocTables ADMIN = DocTables.read("status.md").section("Gateway: `GET /admin/policy`");
    /** A client key ({@code clients.c}) and an admin key ({@code clients.a}, {@code admin: true}). */
    private static final String KEY = "tg-endpoints-doc-test-key";
    private static final String ADMIN_KEY = "tg-endpoints-doc-test-admin-key";
    private static final Set<String> SECURITY_HEADERS = Set.of("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Cache-Control");

    @TempDir
    static Path dir;
    private static GatewayServer gateway;
    private static final AtomicReference<RouteRegistry> routes = new AtomicReference<>();
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens there once closed: the provider fails fast
        }
        Path cfg = dir.resolve("gateway.yaml");
        Files.writeString(cfg, """
                listen: 127.0.0.1:0
                providers:
                  p: {base_url: "http://127.0.0.1:%d/v1"}
                models:
                  m: {targets: [p/x]}
                clients:
                  c: {key_sha256: "%s"}
                  a: {key_sha256: "%s", admin: true}
                """.formatted(closedPort, HexFormat.of().formatHex(ConfigLoader.sha256(KEY)), HexFormat.of().formatHex(ConfigLoader.sha256(ADMIN_KEY))));
        // the last extension runs after every route is registered; it keeps the router to read its route table
        gateway = GatewayServer.start(GatewayServer.Options.of(cfg).env(Map.of()).activeProbes(false).shutdownGrace(Duration.ofSeconds(1))
                .extension((g, chat, registry) -> routes.set(registry)));
        // one routed request that fails upstream: fills the audit ring and the provider's last error
        HttpResponse<String> chat = send(request("POST", "/v1/chat/completions", KEY).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
        assertThat(chat.statusCode()).isEqualTo(502);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
    }

    /** path → methods, as the docs list them ({@code GET /v1/models/{id}} for the prefix route). */
    private static Map<String, Set<String>> documented() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String endpoint : ENDPOINTS.rows().keySet()) {
            String[] mp = endpoint.split(" ", 2);
            out.computeIfAbsent(mp[1], k -> new TreeSet<>()).add(mp[0]);
        }
        return out;
    }

    /**
     * path → methods, as the router holds them. The router keeps its table private and offers no listing, so this
     * reads its two maps ({@code exact}, {@code prefixes}); a rename there fails this test loudly, not silently.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Set<String>> registered() throws ReflectiveOperationException {
        Map<String, Set<String>> out = new TreeMap<>();
        GatewayRouter router = (GatewayRouter) routes.get();
        for (String field : new String[] {"exact", "prefixes"}) {
            Field f = GatewayRouter.class.getDeclaredField(field);
            f.setAccessible(true);
            ((Map<String, Map<HttpMethod, ?>>) f.get(router)).forEach((path, byMethod) ->
                    out.put(field.equals("prefixes") ? path + "{id}" : path,
                            byMethod.keySet().stream().map(HttpMethod::name).collect(Collectors.toCollection(TreeSet::new))));
        }
        return out;
    }

    @Test
    void theRoutesTheGatewayRegistersAreExactlyTheDocumentedOnes() throws Exception {
        assertThat(registered()).isEqualTo(documented());
    }

    @Test
    void everyDocumentedEndpointAnswersWithItsDocumentedAuthentication() throws Exception {
        String cookie = login(ADMIN_KEY);
        for (DocTables.Row row : ENDPOINTS.rows().values()) {
            String[] mp = row.key().split(" ", 2);
            String path = mp[1].replace("{id}", "m");
            String auth = row.cell(1);
            assertThat(auth).as(row.key()).isIn("none", "key", "admin", "form");
            HttpResponse<String> anonymous = send(request(mp[0], path, null).build());
            switch (auth) {
                case "none" -> assertThat(anonymous.statusCode()).as(row.key() + " without a key").isBetween(200, 399);
                case "key" -> {
                    assertThat(anonymous.statusCode()).as(row.key() + " without a key").isEqualTo(401);
                    HttpResponse<String> withKey = send(request(mp[0], path, KEY).build());
                    assertThat(withKey.statusCode()).as(row.key() + " with the key").isNotIn(401, 404);
                    // the status page's session cookie never stands in for a client key
                    assertThat(send(request(mp[0], path, null).header("Cookie", cookie).build()).statusCode())
                            .as(row.key() + " with only the session cookie").isEqualTo(401);
                }
                case "admin" -> {
                    assertRefusal(row.key() + " without a key", path, anonymous, 401, "invalid_api_key");
                    assertRefusal(row.key() + " with a non-admin key", path, send(request(mp[0], path, KEY).build()), 403, "admin_required");
                    for (HttpResponse<String> admin : java.util.List.of(send(request(mp[0], path, ADMIN_KEY).build()),
                            send(request(mp[0], path, null).header("Cookie", cookie).build()))) {
                        assertThat(admin.statusCode()).as(row.key() + " as admin").isEqualTo(200);
                        if (path.startsWith(StatusPage.PATH)) assertThat(admin.headers().map().keySet()).as(row.key()).containsAll(lower(SECURITY_HEADERS));
                    }
                }
                case "form" -> {
                    assertThat(form(path, "").statusCode()).as(row.key() + " without a key").isEqualTo(401);
                    assertThat(form(path, KEY).statusCode()).as(row.key() + " with a non-admin key").isEqualTo(403);
                    assertThat(form(path, "tg-not-a-key").statusCode()).as(row.key() + " with an unknown key").isEqualTo(401);
                    assertThat(form(path, ADMIN_KEY).statusCode()).as(row.key() + " with the admin key").isEqualTo(303);
                }
                default -> throw new AssertionError(row.key() + ": unknown auth " + auth);
            }
            // the status page's pages, fragments and assets (and its login form) carry the documented security headers
            if (path.startsWith(StatusPage.PATH) && (anonymous.statusCode() == 200 || path.equals(StatusPage.PATH))) {
                assertThat(anonymous.headers().map().keySet()).as(row.key()).containsAll(lower(SECURITY_HEADERS));
            }
        }
        // the three documented ways to present the key
        for (String[] header : new String[][] {{"Authorization", "Bearer " + KEY}, {"api-key", KEY}, {"x-api-key", KEY}}) {
            HttpRequest r = HttpRequest.newBuilder(uri("/v1/models")).header(header[0], header[1]).GET().build();
            assertThat(send(r).statusCode()).as(header[0]).isEqualTo(200);
        }
    }

    /** An admin refusal: OpenAI-shaped with its code, except {@code GET /ui}, which shows its HTML login form. */
    private static void assertRefusal(String what, String path, HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(what).isEqualTo(status);
        if (path.equals(StatusPage.PATH)) {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(what).startsWith("text/html");
            assertThat(r.body()).as(what).contains("action=\"/ui/login\"");
        } else {
            assertThat(Json.parse(r.body().getBytes()).path("error").path("code").asText()).as(what).isEqualTo(code);
        }
    }

    @Test
    void theStatusPageSessionIsACookieThatLogoutEnds() throws Exception {
        HttpResponse<String> in = form(StatusPage.PATH + "/login", ADMIN_KEY);
        assertThat(in.statusCode()).isEqualTo(303);
        assertThat(in.headers().firstValue("Location")).hasValue(StatusPage.PATH);
        String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("tailgate_session=").contains("; Path=/", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200")
                .doesNotContain(ADMIN_KEY);
        String cookie = setCookie.split(";", 2)[0];
        assertThat(send(request("GET", GatewayServer.ADMIN_POLICY_PATH, null).header("Cookie", cookie).build()).statusCode()).isEqualTo(200);
        assertThat(STATUS.fieldProblems(Json.parse(send(request("GET", "/status", null).header("Cookie", cookie).build()).body().getBytes()))).isEmpty();

        HttpResponse<String> out = send(request("POST", StatusPage.PATH + "/logout", null).header("Cookie", cookie).build());
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(out.headers().firstValue("Location")).hasValue(StatusPage.PATH);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("tailgate_session=;").contains("Max-Age=0");
        assertThat(send(request("GET", GatewayServer.ADMIN_POLICY_PATH, null).header("Cookie", cookie).build()).statusCode()).isEqualTo(401);

        assertThat(form(StatusPage.PATH + "/login", "x".repeat(4097)).statusCode()).as("a form over 4096 bytes").isEqualTo(413);
    }

    @Test
    void aMethodTheDocsDoNotListIs405NamingTheListedOnes() throws Exception {
        for (var e : documented().entrySet()) {
            HttpResponse<String> r = send(request("DELETE", e.getKey().replace("{id}", "m"), KEY).build());
            assertThat(r.statusCode()).as("DELETE " + e.getKey()).isEqualTo(405);
            Set<String> allow = Arrays.stream(r.headers().firstValue("Allow").orElse("").split(","))
                    .map(String::trim).collect(Collectors.toCollection(TreeSet::new));
            assertThat(allow).as("Allow of " + e.getKey()).isEqualTo(e.getValue());
        }
        HttpResponse<String> unknown = send(request("GET", "/v1/not-an-endpoint", KEY).build());
        assertThat(unknown.statusCode()).isEqualTo(404);
        // the message lists what is served: every documented path that is not under another documented one
        String message = Json.parse(unknown.body().getBytes()).path("error").path("message").asText();
        Set<String> paths = documented().keySet();
        for (String p : paths) {
            boolean under = paths.stream().anyMatch(q -> p.startsWith(q + "/"));
            if (!under) assertThat(message).as(p).containsPattern(java.util.regex.Pattern.quote(p) + "[,.]");
        }
    }

    @Test
    void requestIdsAreEchoedWhenSafe() throws Exception {
        HttpResponse<String> ok = send(request("GET", "/health", null).header("X-Request-Id", "abc:1.2_3-4").build());
        assertThat(ok.headers().firstValue("X-Request-Id")).hasValue("abc:1.2_3-4");
        HttpResponse<String> unsafe = send(request("GET", "/health", null).header("X-Request-Id", "a b").build());
        String generated = unsafe.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(generated).matches("[0-9a-f-]{36}");
        java.util.UUID id = java.util.UUID.fromString(generated);
        assertThat(id.version()).isEqualTo(4);
        assertThat(id.variant()).isEqualTo(2);
        HttpResponse<String> another = send(request("GET", "/health", null).build());
        assertThat(another.headers().firstValue("X-Request-Id").orElseThrow()).isNotEqualTo(generated);
    }

    @Test
    void statusHasExactlyTheDocumentedFields() throws Exception {
        // without an admin key (none, or a client key): the summary
        for (String key : new String[] {null, KEY}) {
            HttpResponse<String> summary = send(request("GET", "/status", key).build());
            assertThat(summary.statusCode()).isEqualTo(200);
            JsonNode s = Json.parse(summary.body().getBytes());
            assertThat(STATUS_SUMMARY.fieldProblems(s)).as("summary with key " + key).isEmpty();
            assertThat(s.path("counts").path("providers").asInt()).isEqualTo(1);
            assertThat(s.path("counts").path("models").asInt()).isEqualTo(1);
        }
        assertThat(STATUS_SUMMARY.rows().get("status").choices(1)).isEqualTo(STATUS.rows().get("status").choices(1));
        assertThat(send(request("GET", "/status", "tg-not-a-key").build()).statusCode()).as("an unknown key").isEqualTo(401);
        // with an admin key: the details
        HttpResponse<String> r = send(request("GET", "/status", ADMIN_KEY).build());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode status = Json.parse(r.body().getBytes());
        assertThat(STATUS.fieldProblems(status)).isEmpty();
        assertThat(STATUS.rows().get("providers[].state").choices(1))
                .isEqualTo(Arrays.stream(HealthState.values()).map(HealthState::wireName).collect(Collectors.toSet()));
        assertThat(STATUS.rows().get("providers[].breaker").choices(1))
                .isEqualTo(Arrays.stream(BreakerState.values()).map(b -> b.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet()));
    }

    @Test
    void adminPolicyHasExactlyTheDocumentedFields() throws Exception {
        HttpResponse<String> r = send(request("GET", GatewayServer.ADMIN_POLICY_PATH, ADMIN_KEY).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ADMIN.fieldProblems(Json.parse(r.body().getBytes()))).isEmpty();
        assertThat(ADMIN.rows().get("decisions[].rejected").cell(2)).contains(Arrays.stream(dev.tailgate.gateway.policy.RejectReason.values())
                .map(x -> "`" + x.code() + "`").toList());
    }

    @Test
    void metricsHaveTheDocumentedNames() throws Exception {
        String scrape = send(request("GET", "/metrics", null).build()).body();
        String row = ENDPOINTS.rows().get("GET /metrics").cell(3);
        var named = java.util.regex.Pattern.compile("`(tailgate_[a-z_]+)(?:\\{([a-z_,]+)})?`").matcher(row).results().toList();
        assertThat(named).hasSize(3);
        for (var m : named) {
            String name = m.group(1);
            assertThat(scrape).as(name).containsPattern("(?m)^" + name + "(_bucket|_count|_sum)?[{ ]");
            if (m.group(2) == null) continue;
            // the documented labels are exactly the series' labels (a histogram's le aside)
            Set<String> documentedLabels = new TreeSet<>(Arrays.asList(m.group(2).split(",")));
            var series = java.util.regex.Pattern.compile("(?m)^" + name + "(?:_bucket|_count|_sum)?\\{([^}]*)}").matcher(scrape).results().toList();
            assertThat(series).as(name + " series").isNotEmpty();
            for (var line : series) {
                Set<String> labels = java.util.regex.Pattern.compile("([a-z_]+)=\"").matcher(line.group(1)).results()
                        .map(x -> x.group(1)).filter(l -> !l.equals("le")).collect(Collectors.toCollection(TreeSet::new));
                assertThat(labels).as(name + " labels").isEqualTo(documentedLabels);
            }
        }
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    /** A request with {@code key} as its bearer key, or none when null. */
    private static HttpRequest.Builder request(String method, String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return method.equals("POST") ? b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                : b.method(method, HttpRequest.BodyPublishers.noBody());
    }

    /** Posts the status page's login form with {@code key}. */
    private static HttpResponse<String> form(String path, String key) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("key=" + java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8))).build());
    }

    /** Logs in to the status page and returns its session cookie ({@code name=value}). */
    private static String login(String key) throws Exception {
        HttpResponse<String> r = form(StatusPage.PATH + "/login", key);
        assertThat(r.statusCode()).isEqualTo(303);
        return r.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    }

    /** Header names as {@link HttpResponse#headers()} keys them (lower case). */
    private static Set<String> lower(Set<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    private static HttpResponse<String> send(HttpRequest r) throws Exception {
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }
}
