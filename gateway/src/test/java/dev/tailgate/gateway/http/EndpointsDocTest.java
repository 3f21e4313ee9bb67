package dev.tailgate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.health.BreakerState;
import dev.tailgate.gateway.health.HealthState;
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
    private static final DocTables STATUS = DocTables.read("status.md").section("Gateway: `GET /status`");
    private static final DocTables ADMIN = DocTables.read("status.md").section("Gateway: `GET /admin/policy`");
    private static final String KEY = "tg-endpoints-doc-test-key";

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
                """.formatted(closedPort, HexFormat.of().formatHex(ConfigLoader.sha256(KEY))));
        // the last extension runs after every route is registered; it keeps the router to read its route table
        gateway = GatewayServer.start(GatewayServer.Options.of(cfg).env(Map.of()).activeProbes(false).shutdownGrace(Duration.ofSeconds(1))
                .extension((g, registry) -> routes.set(registry)));
        // one routed request that fails upstream: fills the audit ring and the provider's last error
        HttpResponse<String> chat = send(request("POST", "/v1/chat/completions", true).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
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
        for (DocTables.Row row : ENDPOINTS.rows().values()) {
            String[] mp = row.key().split(" ", 2);
            String path = mp[1].replace("{id}", "m");
            String auth = row.cell(1);
            assertThat(auth).as(row.key()).isIn("none", "key");
            HttpResponse<String> anonymous = send(request(mp[0], path, false).build());
            if (auth.equals("none")) {
                assertThat(anonymous.statusCode()).as(row.key() + " without a key").isEqualTo(200);
            } else {
                assertThat(anonymous.statusCode()).as(row.key() + " without a key").isEqualTo(401);
                HttpResponse<String> withKey = send(request(mp[0], path, true).build());
                assertThat(withKey.statusCode()).as(row.key() + " with the key").isNotIn(401, 404);
            }
        }
        // the three documented ways to present the key
        for (String[] header : new String[][] {{"Authorization", "Bearer " + KEY}, {"api-key", KEY}, {"x-api-key", KEY}}) {
            HttpRequest r = HttpRequest.newBuilder(uri("/v1/models")).header(header[0], header[1]).GET().build();
            assertThat(send(r).statusCode()).as(header[0]).isEqualTo(200);
        }
    }

    @Test
    void aMethodTheDocsDoNotListIs405NamingTheListedOnes() throws Exception {
        for (var e : documented().entrySet()) {
            HttpResponse<String> r = send(request("DELETE", e.getKey().replace("{id}", "m"), true).build());
            assertThat(r.statusCode()).as("DELETE " + e.getKey()).isEqualTo(405);
            Set<String> allow = Arrays.stream(r.headers().firstValue("Allow").orElse("").split(","))
                    .map(String::trim).collect(Collectors.toCollection(TreeSet::new));
            assertThat(allow).as("Allow of " + e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(send(request("GET", "/v1/not-an-endpoint", true).build()).statusCode()).isEqualTo(404);
    }

    @Test
    void requestIdsAreEchoedWhenSafe() throws Exception {
        HttpResponse<String> ok = send(request("GET", "/health", false).header("X-Request-Id", "abc:1.2_3-4").build());
        assertThat(ok.headers().firstValue("X-Request-Id")).hasValue("abc:1.2_3-4");
        HttpResponse<String> unsafe = send(request("GET", "/health", false).header("X-Request-Id", "a b").build());
        assertThat(unsafe.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f-]{36}");
    }

    @Test
    void statusHasExactlyTheDocumentedFields() throws Exception {
        JsonNode status = Json.parse(send(request("GET", "/status", false).build()).body().getBytes());
        assertThat(STATUS.fieldProblems(status)).isEmpty();
        assertThat(STATUS.rows().get("providers[].state").choices(1))
                .isEqualTo(Arrays.stream(HealthState.values()).map(HealthState::wireName).collect(Collectors.toSet()));
        assertThat(STATUS.rows().get("providers[].breaker").choices(1))
                .isEqualTo(Arrays.stream(BreakerState.values()).map(b -> b.name().toLowerCase(Locale.ROOT)).collect(Collectors.toSet()));
    }

    @Test
    void adminPolicyHasExactlyTheDocumentedFields() throws Exception {
        HttpResponse<String> r = send(request("GET", GatewayServer.ADMIN_POLICY_PATH, true).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ADMIN.fieldProblems(Json.parse(r.body().getBytes()))).isEmpty();
        assertThat(ADMIN.rows().get("decisions[].rejected").cell(2)).contains(Arrays.stream(dev.tailgate.gateway.policy.RejectReason.values())
                .map(x -> "`" + x.code() + "`").toList());
    }

    @Test
    void metricsHaveTheDocumentedNames() throws Exception {
        String scrape = send(request("GET", "/metrics", false).build()).body();
        String row = ENDPOINTS.rows().get("GET /metrics").cell(3);
        var names = java.util.regex.Pattern.compile("`(tailgate_[a-z_]+)").matcher(row).results().map(m -> m.group(1)).toList();
        assertThat(names).hasSize(3);
        for (String name : names) assertThat(scrape).as(name).containsPattern("(?m)^" + name + "(_bucket|_count|_sum)?[{ ]");
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private static HttpRequest.Builder request(String method, String path, boolean withKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        if (withKey) b.header("Authorization", "Bearer " + KEY);
        return method.equals("POST") ? b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                : b.method(method, HttpRequest.BodyPublishers.noBody());
    }

    private static HttpResponse<String> send(HttpRequest r) throws Exception {
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }
}
