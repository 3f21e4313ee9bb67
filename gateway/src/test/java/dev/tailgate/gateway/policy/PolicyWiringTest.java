package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.GatewayServer;
import dev.tailgate.testing.MutableClock;
import dev.tailgate.testing.upstream.FakeOpenAiUpstream;
import dev.tailgate.testing.upstream.RecordedRequest;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy boundary on the gateway's real request path, over real HTTP with fake upstreams: usage ledger rows,
 * forced and stripped {@code include_usage}, breakers fed by real attempts (open → skipped → half-open after the
 * cool-down on a fake clock → closed), client rate limits and budgets, audit rows, {@code /status} states, and privacy
 * under a down, open or saturated local provider.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PolicyWiringTest {
    private static final String KEY = "tg-wiring-tester";
    private static final String PRIVATE_KEY = "tg-wiring-private";
    private static final String LIMITED_KEY = "tg-wiring-limited";
    private static final String SPENDER_KEY = "tg-wiring-spender";
    private static final String EXT_SECRET = "sk-external-SECRET-abcdef0123456789";

    @TempDir
    Path dir;

    FakeOpenAiUpstream local;
    FakeOpenAiUpstream ext;
    FakeOpenAiUpstream flaky;
    GatewayServer gw;
    MutableClock clock;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws IOException {
        local = FakeOpenAiUpstream.start();
        ext = FakeOpenAiUpstream.start();
        flaky = FakeOpenAiUpstream.start();
        clock = MutableClock.at("2026-03-04T05:06:07Z");
        Path cfg = dir.resolve("gateway.yaml");
        Files.writeString(cfg, """
                listen: 127.0.0.1:0
                health: {consecutive_failures: 2, cool_down: 30s, min_calls: 1000}
                providers:
                  local:
                    base_url: %s
                    local: true
                    max_concurrency: 1
                    max_queue: 0
                  deadlocal:
                    base_url: http://127.0.0.1:%d/v1
                    local: true
                  ext:
                    base_url: %s
                    api_key: env:EXT_KEY
                  flaky:
                    base_url: %s
                pricing:
                  ext/priced: {input_per_million: 1000000, output_per_million: 1000000}
                models:
                  chat:
                    targets: [local/echo]
                  both:
                    targets: [local/echo, ext/echo]
                    fallback: true
                  gated:
                    targets: [local/gated-stream]
                  gated-both:
                    targets: [local/gated-stream, ext/echo]
                    fallback: true
                  deadboth:
                    targets: [deadlocal/echo, ext/echo]
                    fallback: true
                  fb:
                    targets: [flaky/error-500, ext/echo]
                    fallback: true
                  priced:
                    targets: [ext/priced]
                clients:
                  tester:
                    key: env:TG_KEY
                    models: ["*"]
                    admin: true
                  secret:
                    key: env:TG_PRIVATE
                    private: true
                  limited:
                    key: env:TG_LIMITED
                    rpm: 1
                  spender:
                    key: env:TG_SPENDER
                    budget_usd_per_day: 0.000001
                """.formatted(local.baseUrl(), deadPort(), ext.baseUrl(), flaky.baseUrl()));
        gw = GatewayServer.start(GatewayServer.Options.of(cfg).listen("127.0.0.1", 0).clock(clock)
                .env(Map.of("EXT_KEY", EXT_SECRET, "TG_KEY", KEY, "TG_PRIVATE", PRIVATE_KEY, "TG_LIMITED", LIMITED_KEY,
                        "TG_SPENDER", SPENDER_KEY))
                .activeProbes(false).shutdownGrace(Duration.ofSeconds(2)));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        local.close();
        ext.close();
        flaky.close();
    }

    // ---- usage ledger, include_usage, audit ----

    @Test
    void everyRequestKindLeavesOneLedgerRowWithTheUpstreamsTokensAndOneAuditRow() throws Exception {
        // non-stream chat: usage from the JSON body
        var plain = post("/v1/chat/completions", KEY, "r-plain", chatBody("chat", false, false, "hello there world"));
        assertThat(plain.statusCode()).isEqualTo(200);

        // stream, client did not ask for usage: upstream is asked anyway, the usage-only chunk is not forwarded
        var quiet = post("/v1/chat/completions", KEY, "r-quiet", chatBody("chat", true, false, "hello there world"));
        assertThat(quiet.statusCode()).isEqualTo(200);
        assertThat(local.lastRequest().json().path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(new String(local.lastRequest().body(), StandardCharsets.UTF_8)).contains("\"x_keep\":2.50");
        assertThat(quiet.body()).contains("echo: ").contains("[DONE]").doesNotContain("prompt_tokens");

        // stream, client asked: the usage chunk reaches it
        var asked = post("/v1/chat/completions", KEY, "r-asked", chatBody("chat", true, true, "hello there world"));
        assertThat(asked.statusCode()).isEqualTo(200);
        assertThat(asked.body()).contains("\"prompt_tokens\":3").contains("[DONE]");

        // responses (bridged to chat)
        var resp = post("/v1/responses", KEY, "r-resp", "{\"model\":\"chat\",\"input\":\"hello there world\"}");
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        assertThat(Json.parse(resp.body()).path("usage").path("input_tokens").asLong()).isEqualTo(3);

        // embeddings
        var emb = post("/v1/embeddings", KEY, "r-emb", "{\"model\":\"chat\",\"input\":\"one two\"}");
        assertThat(emb.statusCode()).isEqualTo(200);

        Map<String, Row> rows = awaitRows(5);
        // "echo: hello there world" = 4 words; the fake counts words
        assertThat(rows.get("r-plain")).isEqualTo(new Row("tester", "chat", "local", "echo", 3, 4, 200, false, false));
        assertThat(rows.get("r-quiet")).isEqualTo(new Row("tester", "chat", "local", "echo", 3, 4, 200, false, true));
        assertThat(rows.get("r-asked")).isEqualTo(new Row("tester", "chat", "local", "echo", 3, 4, 200, false, true));
        assertThat(rows.get("r-resp")).isEqualTo(new Row("tester", "chat", "local", "echo", 3, 4, 200, false, false));
        assertThat(rows.get("r-emb")).isEqualTo(new Row("tester", "chat", "local", "echo", 2, 0, 200, false, false));

        // one audit row per request (the responses bridge asks for providers and then calls: still one decision)
        List<JsonNode> audit = auditRows();
        for (String rid : List.of("r-plain", "r-quiet", "r-asked", "r-resp", "r-emb")) {
            assertThat(audit.stream().filter(a -> a.path("request_id").asText().equals(rid)).count()).as(rid).isEqualTo(1);
        }
        assertThat(audit).allSatisfy(a -> assertThat(a.path("chosen").asText()).isEqualTo("local/echo"));
        String auditText = Files.readString(dir.resolve("audit.jsonl"));
        assertThat(auditText).doesNotContain("hello there world").doesNotContain(KEY);

        assertThat(get("/admin/policy", null).statusCode()).as("decisions name clients: a key is required").isEqualTo(401);
        var notAdmin = get("/admin/policy", LIMITED_KEY);
        assertThat(notAdmin.statusCode()).as("decisions name every client: only an admin key reads them").isEqualTo(403);
        assertThat(Json.parse(notAdmin.body()).path("error").path("code").asText()).isEqualTo("admin_required");
        var admin = get("/admin/policy", KEY);
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(Json.parse(admin.body()).path("decisions").size()).isEqualTo(5);
        var status = Json.parse(get("/status", KEY).body());
        assertThat(status.path("routing").path("routed").asInt()).isEqualTo(5);
    }

    // ---- breakers ----

    @Test
    void failuresOpenTheBreakerThenTheProviderIsSkippedThenAHalfOpenTrialAfterTheCoolDownClosesIt() throws Exception {
        for (int i = 0; i < 2; i++) {
            var r = post("/v1/chat/completions", KEY, "fb-" + i, chatBody("fb", false, false, "hi"));
            assertThat(r.statusCode()).as("fallback to ext after flaky's 500").isEqualTo(200);
        }
        assertThat(flaky.requests()).hasSize(2);
        JsonNode p = awaitProvider("flaky", "state", "open");
        assertThat(p.path("state").asText()).isEqualTo("open");
        assertThat(p.path("last_error").asText()).contains("HTTP 500").doesNotContain(EXT_SECRET);

        var skipped = post("/v1/chat/completions", KEY, "fb-open", chatBody("fb", false, false, "hi"));
        assertThat(skipped.statusCode()).isEqualTo(200);
        assertThat(flaky.requests()).as("open circuit: flaky not called").hasSize(2);
        assertThat(auditRows().getLast().path("rejected").toString()).contains("flaky/error-500").contains("unhealthy");

        clock.advance(Duration.ofSeconds(31));
        flaky.behaviour("error-500", ex -> ex.json(200, ex.completion("recovered")));
        var trial = post("/v1/chat/completions", KEY, "fb-trial", chatBody("fb", false, false, "hi"));
        assertThat(trial.statusCode()).isEqualTo(200);
        assertThat(trial.body()).contains("recovered");
        assertThat(flaky.requests()).as("half-open trial went to flaky").hasSize(3);
        // the client may read its answer a moment before the dispatcher reports the verdict: poll, bounded
        assertThat(awaitProvider("flaky", "breaker", "closed").path("breaker").asText()).isEqualTo("closed");
        var after = post("/v1/chat/completions", KEY, "fb-after", chatBody("fb", false, false, "hi"));
        assertThat(after.body()).contains("recovered");
    }

    // ---- client admission ----

    @Test
    void aClientOverItsRpmGets429RateLimitedWithRetryAfter() throws Exception {
        assertThat(post("/v1/chat/completions", LIMITED_KEY, "rl-1", chatBody("chat", false, false, "hi")).statusCode()).isEqualTo(200);
        var refused = post("/v1/chat/completions", LIMITED_KEY, "rl-2", chatBody("chat", false, false, "hi"));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Json.parse(refused.body()).path("error").path("code").asText()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isPositive();
        assertThat(local.requests()).hasSize(1);
        Map<String, Row> rows = awaitRows(2);
        assertThat(rows.get("rl-2").status()).isEqualTo(429);
        assertThat(rows.get("rl-2").provider()).isNull();
    }

    @Test
    void aClientOverItsDailyBudgetGets402AfterTheRequestThatCrossedIt() throws Exception {
        var first = post("/v1/chat/completions", SPENDER_KEY, "b-1", chatBody("priced", false, false, "hi"));
        assertThat(first.statusCode()).isEqualTo(200);
        var second = post("/v1/chat/completions", SPENDER_KEY, "b-2", chatBody("priced", false, false, "hi"));
        assertThat(second.statusCode()).isEqualTo(402);
        assertThat(Json.parse(second.body()).path("error").path("code").asText()).isEqualTo("budget_exceeded");
        assertThat(ext.requests()).hasSize(1);
        try (Connection c = ledgerConnection()) {
            awaitRows(2);
            ResultSet rs = c.createStatement().executeQuery("SELECT cost_usd FROM usage WHERE request_id = 'b-1'");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getDouble(1)).as("1 + 2 tokens at $1 each").isEqualTo(3.0);
        }
    }

    // ---- privacy ----

    @Test
    void privateRequestsNeverReachTheExternalProviderWhenLocalIsDownOpenOrSaturated() throws Exception {
        // down: local refuses connections; a private request fails naming why, it is not sent to ext
        for (int i = 0; i < 2; i++) {
            var r = post("/v1/chat/completions", PRIVATE_KEY, "down-" + i, chatBody("deadboth", false, false, "secret"));
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(Json.parse(r.body()).path("error").path("message").asText()).contains("deadlocal/echo: ").contains("unreachable");
        }
        // open: two failures opened deadlocal's breaker; now the answer is no_private_route, and still nothing to ext
        assertThat(awaitProvider("deadlocal", "state", "open").path("state").asText()).isEqualTo("open");
        var open = post("/v1/chat/completions", PRIVATE_KEY, "open-1", chatBody("deadboth", false, false, "secret"));
        assertThat(open.statusCode()).isEqualTo(503);
        assertThat(Json.parse(open.body()).path("error").path("code").asText()).isEqualTo("no_private_route");
        var byHeader = post("/v1/chat/completions", KEY, "open-2", chatBody("deadboth", false, false, "secret"),
                "X-Tailgate-Private", "true");
        assertThat(Json.parse(byHeader.body()).path("error").path("code").asText()).isEqualTo("no_private_route");

        // saturated: local limits each upstream model to one slot and no queue; a held stream takes gated-stream's
        CompletableFuture<HttpResponse<String>> held = http.sendAsync(request("/v1/chat/completions", KEY, "held",
                chatBody("gated", true, false, "hold")), HttpResponse.BodyHandlers.ofString());
        assertThat(local.awaitRequestStarts(1, Duration.ofSeconds(10))).isTrue();
        var saturated = post("/v1/chat/completions", PRIVATE_KEY, "sat-1", chatBody("gated-both", false, false, "secret"));
        assertThat(saturated.statusCode()).isEqualTo(429);
        assertThat(Json.parse(saturated.body()).path("error").path("code").asText()).isEqualTo("queue_full");
        assertThat(saturated.headers().firstValue("Retry-After")).isPresent();
        local.gate("gated-stream").complete(null);
        assertThat(held.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);

        assertThat(ext.requests()).as("private work never reached the external provider").isEmpty();
        // the external provider itself was reachable all along: a non-private request falls back to it
        var plain = post("/v1/chat/completions", KEY, "plain", chatBody("deadboth", false, false, "public"));
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(ext.requests()).hasSize(1);
        Map<String, Row> rows = awaitRows(7);
        assertThat(rows.get("sat-1").privateRequest()).isTrue();
        assertThat(rows.get("open-2").privateRequest()).isTrue();
    }

    // ---- helpers ----

    record Row(String client, String model, String provider, String upstreamModel, long prompt, long completion,
               int status, boolean privateRequest, boolean hasTtft) {}

    private Map<String, Row> awaitRows(int n) throws Exception {
        var ledger = gw.gateway().policy().ledger().orElseThrow();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ledger.count() < n && System.nanoTime() < deadline) Thread.sleep(20); // rows are written on their own thread
        assertThat(ledger.count()).isEqualTo(n);
        Map<String, Row> rows = new HashMap<>();
        try (Connection c = ledgerConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT request_id, client, model, provider, upstream_model,"
                     + " prompt_tokens, completion_tokens, status, private, ttft_ms FROM usage")) {
            while (rs.next()) {
                rs.getLong(10);
                boolean ttft = !rs.wasNull();
                rows.put(rs.getString(1), new Row(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getLong(6), rs.getLong(7), rs.getInt(8), rs.getInt(9) == 1, ttft));
            }
        }
        return rows;
    }

    private Connection ledgerConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("usage.db").toAbsolutePath());
    }

    private List<JsonNode> auditRows() throws IOException {
        return Files.readAllLines(dir.resolve("audit.jsonl")).stream().filter(l -> !l.isBlank()).map(Json::parse).toList();
    }

    /** The provider's /status row once {@code field} equals {@code value}, or the last row seen after 10 s. */
    private JsonNode awaitProvider(String name, String field, String value) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode p = provider(name);
        while (!p.path(field).asText().equals(value) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            p = provider(name);
        }
        return p;
    }

    private JsonNode provider(String name) throws Exception {
        for (JsonNode p : Json.parse(get("/status", KEY).body()).path("providers")) {
            if (p.path("name").asText().equals(name)) return p;
        }
        throw new AssertionError("no provider " + name + " in /status");
    }

    static String chatBody(String model, boolean stream, boolean includeUsage, String text) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"x_keep\":2.50,\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private HttpRequest request(String path, String key, String rid, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").header("X-Request-Id", rid)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return b.build();
    }

    private HttpResponse<String> post(String path, String key, String rid, String body, String... headers) throws Exception {
        return http.send(request(path, key, rid, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path)).timeout(Duration.ofSeconds(10));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
