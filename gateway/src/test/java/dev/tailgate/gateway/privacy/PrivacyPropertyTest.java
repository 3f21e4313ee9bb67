package dev.tailgate.gateway.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.privacy.PrivacyGateway.Endpoint;
import dev.tailgate.testing.upstream.FakeExchange;
import dev.tailgate.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The privacy rule on the real request path: one gateway (router, dispatcher, breakers, relays) in front of real HTTP
 * fake upstreams, driven by random requests — random routes (target order, fallback on/off, private model), random
 * clients (private key or not), random {@code X-Tailgate-Private} header sets (every spelling, random case and spaces,
 * repeated headers, comma lists, unknown values), random local failures (500, 429 + Retry-After, a dropped
 * connection, a provider nobody listens on) and a clock moved at random so circuit breakers open, half-open and close.
 * Whatever happens, a request that is private by any marker never reaches the external provider, and a header with
 * no private value and an unknown one is a 400 that reaches no provider.
 */
class PrivacyPropertyTest {
    enum LocalOutcome { OK, ERROR_500, ERROR_429, DROP }

    enum Token {
        TRUE("true", Kind.PRIVATE), ONE("1", Kind.PRIVATE), YES("yes", Kind.PRIVATE), ON("on", Kind.PRIVATE),
        FALSE("false", Kind.PUBLIC), ZERO("0", Kind.PUBLIC), NO("no", Kind.PUBLIC), OFF("off", Kind.PUBLIC),
        MAYBE("maybe", Kind.INVALID), TWO("2", Kind.INVALID), EMPTY("", Kind.INVALID), Y("y", Kind.INVALID);

        final String text;
        final Kind kind;

        Token(String text, Kind kind) {
            this.text = text;
            this.kind = kind;
        }
    }

    enum Kind { PRIVATE, PUBLIC, INVALID }

    /** One token as sent: spelling, per-letter case, spaces around. */
    record Spelled(Token token, long caseBits, int spacesBefore, int spacesAfter) {
        String text() {
            StringBuilder b = new StringBuilder(" ".repeat(spacesBefore));
            for (int i = 0; i < token.text.length(); i++) {
                char c = token.text.charAt(i);
                b.append((caseBits >> i & 1) == 1 ? Character.toUpperCase(c) : c);
            }
            return b.append(" ".repeat(spacesAfter)).toString();
        }
    }

    record Request(int model, boolean privateClient, List<List<Spelled>> headers, Endpoint endpoint,
                   LocalOutcome outcome, int advanceSeconds) {}

    static final List<String> MODELS = List.of("first-local", "no-fallback", "ext-first", "dead-first", "dead-then-local",
            "private-model", "ext-only", "local-only");
    static final AtomicReference<LocalOutcome> OUTCOME = new AtomicReference<>(LocalOutcome.OK);
    static PrivacyGateway g;
    static Path dir;

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("tg-privacy-property");
        g = new PrivacyGateway(dir, "{consecutive_failures: 2, cool_down: 30s, min_calls: 100000}", """
                first-local:
                  targets: [local/flaky, ext/anything]
                  fallback: true
                no-fallback:
                  targets: [local/flaky, ext/anything]
                ext-first:
                  targets: [ext/anything, local/flaky]
                  fallback: true
                dead-first:
                  targets: [deadlocal/anything, ext/anything]
                  fallback: true
                dead-then-local:
                  targets: [deadlocal/anything, local/flaky, ext/anything]
                  fallback: true
                private-model:
                  targets: [local/flaky, ext/anything]
                  fallback: true
                  private: true
                ext-only:
                  targets: [ext/anything]
                local-only:
                  targets: [local/flaky]
                  fallback: true
                """);
        g.local.behaviour("flaky", PrivacyPropertyTest::flaky);
    }

    @AfterContainer
    static void stop() {
        if (g != null) g.close();
    }

    /** The local upstream fails as the current try says, else answers like a healthy provider for the endpoint. */
    static void flaky(FakeExchange ex) {
        switch (OUTCOME.get()) {
            case ERROR_500 -> ex.error(500, "server_error", null, "local exploded");
            case ERROR_429 -> {
                ex.response().putHeader("Retry-After", "3");
                ex.error(429, "rate_limit_error", "rate_limit_exceeded", "local busy");
            }
            case DROP -> ex.response().reset();
            case OK -> {
                if (ex.path().endsWith("/embeddings")) {
                    var o = Json.object().put("object", "list").put("model", "flaky");
                    o.putArray("data").addObject().put("object", "embedding").put("index", 0).putArray("embedding").add(0.5);
                    ex.json(200, o);
                } else if (ex.streamRequested()) {
                    ex.streamChunks(ex.chunks("local answer"), 0);
                } else {
                    ex.json(200, ex.completion("local answer"));
                }
            }
        }
    }

    @Provide
    Arbitrary<Spelled> spelled() {
        return Combinators.combine(Arbitraries.of(Token.class), Arbitraries.longs().between(0, 31),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2)).as(Spelled::new);
    }

    @Provide
    Arbitrary<Request> request() {
        Arbitrary<List<Spelled>> oneHeader = spelled().list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(Arbitraries.integers().between(0, MODELS.size() - 1), Arbitraries.of(true, false),
                        oneHeader.list().ofMinSize(0).ofMaxSize(3),
                        Arbitraries.of(Endpoint.CHAT, Endpoint.CHAT_STREAM, Endpoint.EMBEDDINGS, Endpoint.RESPONSES,
                                Endpoint.RESPONSES_STREAM),
                        Arbitraries.of(LocalOutcome.class), Arbitraries.of(0, 0, 1, 5, 31))
                .as(Request::new);
    }

    @Property(tries = 1000)
    void aPrivateRequestNeverReachesTheExternalProvider(@ForAll @From("request") Request r) {
        OUTCOME.set(r.outcome());
        g.clock.advance(Duration.ofSeconds(r.advanceSeconds()));
        List<String> headers = new ArrayList<>();
        boolean privateToken = false, invalidToken = false;
        for (List<Spelled> header : r.headers()) {
            List<String> parts = new ArrayList<>();
            for (Spelled s : header) {
                parts.add(s.text());
                privateToken |= s.token().kind == Kind.PRIVATE;
                invalidToken |= s.token().kind == Kind.INVALID;
            }
            headers.add(String.join(",", parts));
        }
        String model = MODELS.get(r.model());
        boolean mustStayLocal = privateToken || r.privateClient() || model.equals("private-model");
        int extBefore = g.externalHits();
        int localBefore = g.local.requests().size();

        HttpResponse<String> resp = g.send(r.endpoint(), model, r.privateClient() ? PrivacyGateway.PRIVATE_KEY : PrivacyGateway.KEY, headers);

        int extHits = g.externalHits() - extBefore;
        assertThat(resp.statusCode()).as("never a 500: %s", resp.body()).isNotEqualTo(500);
        if (!privateToken && invalidToken) {
            assertThat(resp.statusCode()).as(resp.body()).isEqualTo(400);
            assertThat(extHits + g.local.requests().size() - localBefore).as("a refused header reaches no provider").isZero();
        }
        if (mustStayLocal) {
            assertThat(extHits).as("external hits of a private request (%s, headers %s)", model, headers).isZero();
            if (resp.statusCode() >= 500) {
                assertThat(Json.parse(resp.body()).path("error").path("code").asText()).as(resp.body()).isEqualTo("no_private_route");
            }
        }
        Statistics.label("private").collect(mustStayLocal);
        Statistics.label("status").collect(resp.statusCode());
        Statistics.label("external hit").collect(extHits > 0);
        Statistics.label("header occurrences").collect(headers.size());
        Statistics.label("outcome").collect(r.outcome().name().toLowerCase(Locale.ROOT));
    }
}
