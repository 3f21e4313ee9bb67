package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StatusCommandTest {
    static String gatewayStatus(String localBaseUrl) {
        return """
                {"status": "degraded",
                 "providers": [
                   {"name": "local", "local": true, "state": "healthy", "in_flight": 1, "queued": 0, "last_error": null,
                    "base_url": "%s/v1"},
                   {"name": "deepseek", "local": false, "state": "open", "in_flight": 0, "queued": 12,
                    "last_error": "upstream 502\\nbad gateway"}],
                 "models": [{"id": "qwen", "targets": ["local/qwen2.5-0.5b-instruct", "deepseek/deepseek-chat"],
                             "fallback": true, "private": false},
                            {"id": "secret", "targets": ["local/qwen2.5-0.5b-instruct"], "fallback": false, "private": true}]}
                """.formatted(localBaseUrl);
    }

    static final String LOCAL_STATUS = """
            {"status": "degraded",
             "models": [{"id": "qwen2.5-0.5b-instruct", "capability": "chat", "state": "unavailable",
                         "reason": "model file missing: tailgate models pull qwen2.5-0.5b-instruct",
                         "in_flight": 0, "queued": 0, "memory_bytes": 0},
                        {"id": "all-minilm-l6-v2", "capability": "embeddings", "state": "ready",
                         "in_flight": 2, "queued": 3, "memory_bytes": 94371840}],
             "memory": {"budget_bytes": 12884901888, "used_bytes": 94371840}}
            """;

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path home;

    @Test
    void printsAlignedProviderAndModelTablesForBothServices() throws Exception {
        try (StubServer local = new StubServer(); StubServer gw = new StubServer()) {
            local.json("/status", 200, LOCAL_STATUS);
            gw.json("/status", 503, gatewayStatus(local.url()));
            // the home says where both listen (no --url): another instance on the default ports is never asked
            java.nio.file.Files.writeString(home.resolve("gateway.yaml"), "listen: 127.0.0.1:" + gw.port() + "\n");
            java.nio.file.Files.writeString(home.resolve("local.yaml"), "listen: 127.0.0.1:" + local.port() + "\n");

            CliRun r = CliRun.of("status", "--home", home.toString());
            assertThat(r.code()).as(r.toString()).isZero();
            List<String> lines = r.out().lines().toList();

            assertThat(lines).contains("gateway     " + gw.url() + "  degraded");
            int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("PROVIDER")).findFirst().orElseThrow());
            String h = lines.get(header);
            assertThat(h).matches("PROVIDER +LOCAL +STATE +IN_FLIGHT +QUEUED +LAST_ERROR");
            String localRow = lines.get(header + 1);
            String deepseekRow = lines.get(header + 2);
            assertThat(localRow).matches("local +yes +healthy +1 +0 +-");
            assertThat(deepseekRow).matches("deepseek +no +open +0 +12 +upstream 502 bad gateway");
            // aligned: each column starts at the same offset in every row
            assertThat(localRow.indexOf("healthy")).isEqualTo(h.indexOf("STATE")).isEqualTo(deepseekRow.indexOf("open"));
            assertThat(deepseekRow.indexOf("12")).isEqualTo(h.indexOf("QUEUED"));

            assertThat(lines).anyMatch(l -> l.matches("MODEL +TARGETS +FALLBACK +PRIVATE"));
            assertThat(lines).anyMatch(l -> l.matches("qwen +local/qwen2.5-0.5b-instruct,deepseek/deepseek-chat +yes +no"));
            assertThat(lines).anyMatch(l -> l.matches("secret +local/qwen2.5-0.5b-instruct +no +yes"));

            // qwen-local was found through the home's local.yaml
            assertThat(lines).contains("qwen-local  " + local.url() + "  degraded  memory 90.0 MiB of 12.0 GiB");
            String mh = lines.stream().filter(l -> l.startsWith("MODEL  ") && l.contains("CAPABILITY")).findFirst().orElseThrow();
            assertThat(mh).matches("MODEL +CAPABILITY +STATE +IN_FLIGHT +QUEUED +MEMORY +REASON");
            // qwen-local's reason names no home (clients see it too); status knows which home it asked and completes it
            assertThat(lines).anyMatch(l -> l.matches("qwen2.5-0.5b-instruct +chat +unavailable +0 +0 +0 B +"
                    + java.util.regex.Pattern.quote("model file missing: tailgate models pull qwen2.5-0.5b-instruct --home " + home)));
            assertThat(lines).anyMatch(l -> l.matches("all-minilm-l6-v2 +embeddings +ready +2 +3 +90.0 MiB +-"));
        }
    }

    @Test
    void psCompletesQwenLocalsPullCommandWithTheHomeItAskedAndItsStartHintNamesTheHome() throws Exception {
        try (StubServer local = new StubServer()) {
            local.json("/status", 200, LOCAL_STATUS);
            HomeAddresses.record(home, "http://127.0.0.1:1", local.url()); // a running `up` of this home, on its own ports
            CliRun r = CliRun.of("ps", "--home", home.toString());
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(r.out()).contains("model file missing: tailgate models pull qwen2.5-0.5b-instruct --home " + home);
            CliRun json = CliRun.of("ps", "--home", home.toString(), "--json"); // --json is qwen-local's own /status
            assertThat(json.out()).contains("\"model file missing: tailgate models pull qwen2.5-0.5b-instruct\"");
        }
        java.nio.file.Files.delete(home.resolve("run.json"));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        java.nio.file.Files.writeString(home.resolve("local.yaml"), "listen: 127.0.0.1:" + closedPort + "\n");
        CliRun down = CliRun.of("ps", "--home", home.toString());
        assertThat(down.code()).isEqualTo(Main.FAILURE);
        assertThat(down.err()).contains("start it with: tailgate up --home " + home);
    }

    @Test
    void anExplicitLocalUrlWinsAndAcceptsTheV1Form() throws Exception {
        try (StubServer local = new StubServer(); StubServer gw = new StubServer()) {
            local.json("/status", 200, LOCAL_STATUS);
            gw.json("/status", 200, "{\"status\":\"ok\",\"providers\":[]}");
            CliRun r = CliRun.of("status", "--url", gw.url() + "/v1/", "--local-url", local.url() + "/v1");
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(r.out()).contains("gateway     " + gw.url() + "  ok").contains("qwen-local  " + local.url() + "  degraded");
        }
    }

    @Test
    void withoutAnAdminKeyTheGatewaysSummaryIsShownWithHowToGetDetails() throws Exception {
        try (StubServer local = new StubServer(); StubServer gw = new StubServer()) {
            local.json("/status", 200, LOCAL_STATUS);
            gw.json("/status", 200, "{\"status\":\"degraded\",\"in_flight\":2,"
                    + "\"counts\":{\"providers\":3,\"providers_healthy\":2,\"models\":4},\"detail\":\"summary only\"}");
            CliRun r = CliRun.of("status", "--url", gw.url(), "--local-url", local.url());
            assertThat(r.code()).as(r.toString()).isZero();
            assertThat(r.out()).contains("gateway     " + gw.url() + "  degraded")
                    .contains("3 providers (2 healthy), 4 models, 2 in flight")
                    .contains("details need an admin key: --key KEY or TAILGATE_ADMIN_KEY")
                    .contains("keys create NAME --admin");
        }
    }

    @Test
    void theKeyIsTheFlagThenTheAdminKeyVariableThenTheClientKeyVariable() {
        java.util.Map<String, String> both = java.util.Map.of("TAILGATE_ADMIN_KEY", "tg-admin", "TAILGATE_KEY", "tg-client");
        assertThat(StatusCommand.key("tg-flag", both::get)).isEqualTo("tg-flag");
        assertThat(StatusCommand.key(null, both::get)).isEqualTo("tg-admin");
        assertThat(StatusCommand.key(null, java.util.Map.of("TAILGATE_KEY", "tg-client")::get)).isEqualTo("tg-client");
        assertThat(StatusCommand.key(null, java.util.Map.<String, String>of()::get)).isNull();
    }

    @Test
    void anUnreachableGatewayIsExitOneWithAClearMessage() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        CliRun r = CliRun.of("status", "--url", url, "--local-url", url);
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).contains("tailgate: the gateway at " + url + " is unreachable: connection refused")
                .contains("tailgate up").doesNotContain("\tat ");
        assertThat(r.out()).contains("gateway     " + url + "  unreachable");
    }

    @Test
    void aGatewayThatNeverAnswersTimesOut() throws Exception {
        try (StubServer gw = new StubServer(); StubServer local = new StubServer()) {
            gw.hang("/status");
            local.json("/status", 200, LOCAL_STATUS);
            CliRun r = CliRun.of("status", "--url", gw.url(), "--local-url", local.url(), "--timeout", "0.5");
            assertThat(r.code()).isEqualTo(Main.FAILURE);
            assertThat(r.err()).contains("no answer within 500ms");
            assertThat(r.out()).contains("all-minilm-l6-v2"); // qwen-local is still shown
        }
    }

    @Test
    void somethingElseOnThePortIsNamedAsSuch() throws Exception {
        try (StubServer other = new StubServer()) {
            other.text("/status", 200, "<html>hello</html>");
            CliRun r = CliRun.of("status", "--url", other.url(), "--local-url", other.url());
            assertThat(r.code()).isEqualTo(Main.FAILURE);
            assertThat(r.err()).contains("without a JSON status (is this a tailgate service?)");
        }
    }

    @Test
    void aGatewayThatWantsAKeyGetsTheOneGiven() throws Exception {
        try (StubServer gw = new StubServer(); StubServer local = new StubServer()) {
            gw.json("/status", 401, "{\"error\":{\"message\":\"no key\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
            local.json("/status", 200, LOCAL_STATUS);
            CliRun r = CliRun.of("status", "--url", gw.url(), "--local-url", local.url());
            assertThat(r.code()).isEqualTo(Main.FAILURE);
            assertThat(r.err()).contains("wants a client key (pass --key or set TAILGATE_KEY)");

            gw.json("/status", 200, "{\"status\":\"ok\",\"providers\":[]}");
            CliRun keyed = CliRun.of("status", "--url", gw.url(), "--local-url", local.url(), "--key", "tg-abc");
            assertThat(keyed.code()).as(keyed.toString()).isZero();
            assertThat(gw.lastAuthorization.get("/status")).isEqualTo("Bearer tg-abc");
            assertThat(local.lastAuthorization).isEmpty(); // the client key is the gateway's business only
        }
    }

    @Test
    void baseUrlNormalisation() {
        assertThat(StatusCommand.base("127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080");
        assertThat(StatusCommand.base("http://h:1/v1/")).isEqualTo("http://h:1");
        assertThat(StatusCommand.base("http://h:1/status")).isEqualTo("http://h:1");
    }
}
