package dev.tailgate.gateway.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 point 2: an upstream error whose {@code message}, {@code type}, {@code param} or {@code code} carries the
 * provider key (or any {@code Bearer …}/{@code sk-…} token) reaches neither the client, nor the log, nor the ledger's
 * {@code error_code}; a 200 body echoing the key is never logged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecretScrubbingTest {
    static final String OTHER_TOKEN = "sk-someone-else-0123456789abcdef";
    static final String CONFIG = """
            listen: 127.0.0.1:0
            ledger: ${DIR}/usage.db
            audit_log: off
            providers:
              fake:
                base_url: ${UP}
                api_key: env:FAULT_KEY
            models:
              leaky-400: {targets: [fake/leaky-400]}
              leaky-404: {targets: [fake/leaky-404]}
              leaky-422: {targets: [fake/leaky-422]}
              leaky-429: {targets: [fake/leaky-429]}
              leaky-503: {targets: [fake/leaky-503]}
              echoes-key: {targets: [fake/echoes-key]}
            clients:
              tester: {key: env:TG_KEY}
            """;

    static FaultGateway g;
    static final PrintStream originalErr = System.err;
    static final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        g = FaultGateway.start(CONFIG, Map.of(), o -> o.activeProbes(false));
        String key = FaultGateway.PROVIDER_KEY;
        for (int status : new int[] {400, 404, 422, 429, 503}) g.upstream.behaviour("leaky-" + status, ex -> {
            String body = "{\"error\":{\"message\":\"Incorrect key: Bearer " + key + " (also " + OTHER_TOKEN + ")\","
                    + "\"type\":\"Bearer " + key + "\",\"param\":\"" + key.substring(3, 20) + "\","
                    + "\"code\":\"sk_" + key + "\",\"detail\":{\"echo\":\"" + key + "\"}}}";
            ex.response().setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Retry-After", "1").end(body);
        });
        g.upstream.behaviour("echoes-key", ex -> ex.json(200, ex.completion("your key is " + key)));
        System.setErr(new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                synchronized (log) {
                    log.write(b);
                }
                originalErr.write(b);
            }
        }, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() {
        System.setErr(originalErr);
        if (g != null) g.close();
    }

    static void assertNoSecret(String text) {
        String key = FaultGateway.PROVIDER_KEY;
        assertThat(text).doesNotContain(key).doesNotContain(OTHER_TOKEN).doesNotContainIgnoringCase("bearer sk-");
        for (int i = 0; i + 12 <= key.length(); i++) assertThat(text).doesNotContain(key.substring(i, i + 12));
    }

    @ParameterizedTest(name = "upstream {0}")
    @ValueSource(ints = {400, 404, 422, 429, 503})
    void everyStringFieldOfARelayedUpstreamErrorIsScrubbed(int status) throws Exception {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("leaky-" + status, false, "hi"));
        assertThat(r.statusCode()).isEqualTo(status);
        JsonNode e = Json.parse(r.body()).get("error");
        assertThat(e).as(r.body()).isNotNull();
        for (String field : List.of("message", "type", "param", "code")) {
            if (e.hasNonNull(field)) assertNoSecret(e.get(field).asText());
        }
        assertNoSecret(r.body());
        String rid = r.headers().firstValue("x-request-id").orElseThrow();
        String code = ledgerCode(rid);
        assertThat(code).as("ledger error_code").matches("[a-z0-9_.-]{1,64}");
        assertNoSecret(code);
        assertNoSecret(logText());
    }

    @Test
    void aSuccessfulBodyEchoingTheKeyIsNeverLogged() throws Exception {
        HttpResponse<String> r = g.post("/v1/chat/completions", FaultGateway.chat("echoes-key", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("your key is"); // the client's own answer is not rewritten
        assertNoSecret(logText());
    }

    @Test
    void theLedgerFileHoldsNoSecretAnywhere() throws Exception {
        g.post("/v1/chat/completions", FaultGateway.chat("leaky-422", false, "hi"));
        List<String> all = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + g.dir.resolve("usage.db"));
             ResultSet rs = c.createStatement().executeQuery("SELECT * FROM usage")) {
            int cols = rs.getMetaData().getColumnCount();
            while (rs.next()) for (int i = 1; i <= cols; i++) all.add(String.valueOf(rs.getObject(i)));
        }
        assertThat(all).isNotEmpty();
        assertNoSecret(String.join("\n", all));
    }

    static String ledgerCode(String requestId) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + g.dir.resolve("usage.db"));
             var st = c.prepareStatement("SELECT error_code FROM usage WHERE request_id = ?")) {
            st.setString(1, requestId);
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).as("a usage row for " + requestId).isTrue();
                return rs.getString(1);
            }
        }
    }

    static String logText() {
        synchronized (log) {
            return log.toString(StandardCharsets.UTF_8);
        }
    }
}
