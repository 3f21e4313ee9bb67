package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Admin keys ({@code admin: true}): what {@code /status}, {@code /admin/policy} and the status page at {@code /ui} show
 * to no key, a wrong key, a valid non-admin key and an admin key; the login cookie and what it does not open.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminAccessTest {
    static Harness h;

    @BeforeAll
    static void start() {
        h = Harness.start();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static HttpResponse<String> get(String path, String header, String value) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.base() + path)).GET();
        if (header != null) b.header(header, value);
        return h.send(b.build());
    }

    private static HttpResponse<String> login(String key) {
        return h.send(HttpRequest.newBuilder(URI.create(h.base() + "/ui/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("key=" + java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8))).build());
    }

    private static void assertOpenAiError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode e = Json.parse(r.body()).path("error");
        assertThat(e.path("code").asText()).isEqualTo(code);
        assertThat(e.has("message") && e.has("type") && e.has("param")).isTrue();
    }

    @Test
    void statusIsASummaryWithoutAnAdminKeyAndAWrongKeyIsRefused() {
        for (HttpResponse<String> r : new HttpResponse[] {get("/status", null, null),
                get("/status", "Authorization", "Bearer " + Harness.LIMITED_KEY)}) {
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode s = Json.parse(r.body());
            assertThat(s.path("status").asText()).isIn("ok", "degraded", "unavailable");
            assertThat(s.path("counts").path("providers").asInt()).isEqualTo(Json.parse(h.get("/status").body()).path("providers").size());
            assertThat(s.has("providers") || s.has("models") || s.has("routing") || s.has("local")).isFalse();
            assertThat(r.body()).doesNotContain("\"dead\"").doesNotContain("last_error").doesNotContain("targets");
        }
        assertOpenAiError(get("/status", "Authorization", "Bearer tg-not-a-key"), 401, "invalid_api_key");
        JsonNode detail = Json.parse(h.get("/status").body());
        assertThat(detail.path("providers").findValuesAsText("name")).contains("fake", "dead");
        assertThat(detail.path("models").findValuesAsText("id")).contains("qwen");
    }

    @Test
    void adminPathsNeedAnAdminKey() {
        assertOpenAiError(get("/admin/policy", null, null), 401, "invalid_api_key");
        assertOpenAiError(get("/admin/policy", "Authorization", "Bearer tg-not-a-key"), 401, "invalid_api_key");
        HttpResponse<String> narrow = get("/admin/policy", "Authorization", "Bearer " + Harness.LIMITED_KEY);
        assertOpenAiError(narrow, 403, "admin_required");
        assertThat(Json.parse(narrow.body()).path("error").path("type").asText()).isEqualTo("permission_error");
        assertThat(get("/admin/policy", "x-api-key", Harness.LIMITED_KEY).statusCode()).isEqualTo(403);
        HttpResponse<String> admin = h.get("/admin/policy");
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(Json.parse(admin.body()).has("decisions")).isTrue();
    }

    @Test
    void statusPageShowsALoginFormThenServesAdminsThroughAnHttpOnlyCookie() {
        HttpResponse<String> anon = get("/ui", null, null);
        assertThat(anon.statusCode()).isEqualTo(401);
        assertThat(anon.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(anon.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'none'").contains("script-src 'self'").doesNotContain("unsafe-inline");
        assertThat(anon.body()).contains("<form method=\"post\" action=\"/ui/login\"").doesNotContain("Providers");

        assertThat(get("/ui", "Authorization", "Bearer " + Harness.LIMITED_KEY).statusCode()).isEqualTo(403);
        HttpResponse<String> wrong = login("tg-not-a-key");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
        HttpResponse<String> notAdmin = login(Harness.LIMITED_KEY);
        assertThat(notAdmin.statusCode()).isEqualTo(403);
        assertThat(notAdmin.body()).contains("not an admin key");
        assertThat(notAdmin.headers().firstValue("Set-Cookie")).isEmpty();

        HttpResponse<String> ok = login(Harness.CLIENT_KEY);
        assertThat(ok.statusCode()).isEqualTo(303);
        String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("tailgate_session=").contains("HttpOnly").contains("SameSite=Strict")
                .doesNotContain(Harness.CLIENT_KEY);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        HttpResponse<String> page = get("/ui", "Cookie", cookie);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("data-provider=\"fake\"").contains("data-part=\"audit\"").contains("<script src=\"/ui/app.js\">")
                .doesNotContain("<script>").doesNotContain("style=");
        for (String part : new String[] {"providers", "local", "requests", "usage", "audit"}) {
            assertThat(get("/ui/part/" + part, "Cookie", cookie).statusCode()).as(part).isEqualTo(200);
            assertOpenAiError(get("/ui/part/" + part, null, null), 401, "invalid_api_key");
            assertOpenAiError(get("/ui/part/" + part, "Authorization", "Bearer " + Harness.LIMITED_KEY), 403, "admin_required");
        }
        assertThat(get("/admin/policy", "Cookie", cookie).statusCode()).isEqualTo(200);
        assertThat(get("/ui/app.js", null, null).headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");

        // the cookie is for the admin views only: a browser sends it on its own, model requests must carry a key
        HttpResponse<String> model = h.send(HttpRequest.newBuilder(URI.create(h.base() + "/v1/chat/completions"))
                .header("Cookie", cookie).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Harness.chat("qwen", false, "hi"))).build());
        assertOpenAiError(model, 401, "invalid_api_key");

        HttpResponse<String> out = h.send(HttpRequest.newBuilder(URI.create(h.base() + "/ui/logout")).header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(get("/ui", "Cookie", cookie).statusCode()).as("the session ended").isEqualTo(401);
    }

    @Test
    void recentRequestsAndTheAuditLogAppearOnThePage() {
        HttpResponse<String> r = h.send(h.request("/v1/chat/completions").header("Content-Type", "application/json")
                .header("X-Request-Id", "ui-visible-1").POST(HttpRequest.BodyPublishers.ofString(Harness.chat("qwen", false, "the secret prompt"))).build());
        assertThat(r.statusCode()).isEqualTo(200);
        String auth = "Bearer " + Harness.CLIENT_KEY;
        long deadline = System.nanoTime() + 10_000_000_000L;
        String requests = "";
        while (System.nanoTime() < deadline && !requests.contains("ui-visible-1")) {
            requests = get("/ui/part/requests", "Authorization", auth).body(); // the ledger row is written on completion
            if (!requests.contains("ui-visible-1")) sleepBriefly();
        }
        assertThat(requests).contains("data-request=\"ui-visible-1\"").doesNotContain("the secret prompt");
        assertThat(get("/ui/part/audit?filter=all", "Authorization", auth).body()).contains("data-audit-request=\"ui-visible-1\"");
        assertThat(get("/ui/part/audit?filter=refused", "Authorization", auth).body()).doesNotContain("data-audit-request=\"ui-visible-1\"");
        assertThat(get("/ui/part/usage", "Authorization", auth).body()).contains("<svg").contains("tester");
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20); // polling the page, bounded by the deadline
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
