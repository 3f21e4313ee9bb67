package dev.tailgate.gateway.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.privacy.PrivacyGateway.Endpoint;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every spelling of {@code X-Tailgate-Private} on every endpoint, through the real router: the model's local target
 * fails (nothing listens) and its external target is healthy, with {@code fallback: true} — the situation in which a
 * misread marker leaks the request. Private spellings (also among repeated headers and comma lists): the external
 * provider gets nothing. Public spellings: it gets the request (so the test sees a leak when there is one). Anything
 * else: 400 naming the header, and nothing is sent anywhere.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivateHeaderRouterTest {
    static final List<List<String>> PRIVATE = List.of(
            List.of("true"), List.of("TRUE"), List.of("True"), List.of("1"), List.of("yes"), List.of("YES"), List.of("Yes"),
            List.of("on"), List.of("ON"), List.of("On"), List.of(" 1"), List.of("yes "), List.of("  tRuE  "),
            List.of("false", "true"), List.of("true", "false"), List.of("0", "yes"), List.of("true, true"),
            List.of("false, 1"), List.of("no,on"), List.of("off , YES "), List.of("maybe, true"), List.of("nonsense", "1"),
            List.of(",true"), List.of("false", "no", "off, 0, on"));
    static final List<List<String>> PUBLIC = List.of(
            List.of(), List.of("false"), List.of("FALSE"), List.of("0"), List.of("no"), List.of("No"), List.of("off"),
            List.of("OFF"), List.of(" off "), List.of("false", "0"), List.of("no, off"));
    static final List<List<String>> INVALID = List.of(
            List.of("maybe"), List.of("2"), List.of("tru"), List.of(""), List.of("private"), List.of("yes please"),
            List.of("false", "maybe"), List.of("false,"), List.of("0, 2"), List.of("t"), List.of("\u00e9"));

    @TempDir
    static Path dir;
    PrivacyGateway g;

    @BeforeAll
    void start() throws IOException {
        // consecutive_failures high: the failing local target is really tried on every request, never skipped
        g = new PrivacyGateway(dir, "{consecutive_failures: 100000, min_calls: 100000}", """
                leaky:
                  targets: [deadlocal/anything, ext/anything]
                  fallback: true
                """);
    }

    @AfterAll
    void stop() {
        if (g != null) g.close();
    }

    static Stream<Arguments> cases(List<List<String>> headers) {
        List<Arguments> out = new ArrayList<>();
        for (Endpoint e : Endpoint.values()) for (List<String> h : headers) out.add(Arguments.of(e, h));
        return out.stream();
    }

    static Stream<Arguments> privateCases() { return cases(PRIVATE); }
    static Stream<Arguments> publicCases() { return cases(PUBLIC); }
    static Stream<Arguments> invalidCases() { return cases(INVALID); }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("privateCases")
    void privateSpellingsNeverReachTheExternalProvider(Endpoint endpoint, List<String> headers) {
        int before = g.externalHits();
        HttpResponse<String> r = g.send(endpoint, "leaky", PrivacyGateway.KEY, headers);
        assertThat(g.externalHits()).as("external hits").isEqualTo(before);
        if (endpoint == Endpoint.MODELS) {
            assertThat(r.statusCode()).isEqualTo(200);
        } else {
            // the local target failed: 503 no_private_route naming that failure and the external target it skipped
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            var error = Json.parse(r.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("no_private_route");
            assertThat(error.path("message").asText()).contains("deadlocal/anything").contains("skipped (not local): ext/anything");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("publicCases")
    void publicSpellingsFallBackToTheExternalProvider(Endpoint endpoint, List<String> headers) {
        int before = g.externalHits();
        HttpResponse<String> r = g.send(endpoint, "leaky", PrivacyGateway.KEY, headers);
        if (endpoint == Endpoint.MODELS) {
            assertThat(r.statusCode()).isEqualTo(200);
        } else if (endpoint == Endpoint.TRANSCRIPTIONS) {
            // a streamed upload goes to one target only: the failed local one, so nothing external either
            assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
        } else {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(g.externalHits()).as("the public request fell back to the external target").isEqualTo(before + 1);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalidCases")
    void unrecognisedValuesAre400NamingTheHeader(Endpoint endpoint, List<String> headers) {
        int before = g.externalHits();
        int localBefore = g.local.requests().size();
        HttpResponse<String> r = g.send(endpoint, "leaky", PrivacyGateway.KEY, headers);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        var error = Json.parse(r.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("param").asText()).isEqualTo("X-Tailgate-Private");
        assertThat(error.path("message").asText()).contains("X-Tailgate-Private");
        assertThat(g.externalHits()).isEqualTo(before);
        assertThat(g.local.requests()).hasSize(localBefore);
    }
}
