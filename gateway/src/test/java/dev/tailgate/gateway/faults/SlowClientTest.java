package dev.tailgate.gateway.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 5 slow-loris: a client that trickles its request (or sends nothing) is cut off after {@code client_timeout}
 * (2 s here) — the connection is closed, with a 408 when the head had arrived — and never holds the gateway forever.
 * The trickling writer would need minutes to finish, so a completed exchange proves the gateway ended it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowClientTest {
    static final String CONFIG = """
            listen: 127.0.0.1:0
            client_timeout: 2s
            ledger: off
            audit_log: off
            providers:
              fake:
                base_url: ${UP}
                local: true
                idle_timeout: 1s
            models:
              qwen: {targets: [fake/echo]}
              endless: {targets: [fake/endless]}
            clients:
              tester: {key: env:TG_KEY, admin: true}
            """;

    static FaultGateway g;

    @BeforeAll
    static void start() {
        g = FaultGateway.start(CONFIG, Map.of(), o -> o.activeProbes(false));
        // an upstream that streams as fast as it is read, forever (it respects backpressure itself)
        g.upstream.behaviour("endless", ex -> {
            ex.startSse();
            String piece = "z".repeat(4096);
            Runnable[] pump = new Runnable[1];
            pump[0] = () -> {
                while (!ex.response().closed() && !ex.response().writeQueueFull()) {
                    ex.sendEvent(ex.chunk(Json.object().put("content", piece), null));
                }
                if (!ex.response().closed()) ex.response().drainHandler(v -> pump[0].run());
            };
            pump[0].run();
        });
    }

    @AfterAll
    static void stop() {
        if (g != null) g.close();
    }

    /** Writes {@code prefix} at once, then {@code trickle} one byte every 50 ms until the server's answer/close is read. */
    private static Outcome slowClient(String prefix, String trickle) throws Exception {
        try (Socket s = new Socket("127.0.0.1", g.port())) {
            s.setSoTimeout(30_000);
            CompletableFuture<RawHttp.Response> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return RawHttp.read(s.getInputStream());
                } catch (java.io.IOException e) {
                    return new RawHttp.Response(-2, Map.of(), e.toString());
                }
            });
            OutputStream out = s.getOutputStream();
            int sent = 0;
            try {
                out.write(prefix.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                byte[] t = trickle.getBytes(StandardCharsets.ISO_8859_1);
                while (sent < t.length && !answer.isDone()) {
                    out.write(t[sent++]);
                    out.flush();
                    Thread.sleep(50); // the slow client's pace, not a synchronisation
                }
            } catch (java.net.SocketException closedByServer) {
                // expected: the gateway closed the connection while we were still trickling
            }
            RawHttp.Response r = answer.get(30, TimeUnit.SECONDS);
            return new Outcome(r, sent, trickle.length());
        }
    }

    record Outcome(RawHttp.Response response, int trickled, int total) {}

    @Test
    void headersTrickledByteByByteGetTheConnectionClosed() throws Exception {
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + FaultGateway.CLIENT_KEY
                + "\r\nX-Pad: " + "a".repeat(4000) + "\r\n\r\n";
        Outcome o = slowClient("", head);
        assertThat(o.trickled()).as("cut off long before the head was complete").isLessThan(o.total());
        assertThat(o.response().status()).as("closed without an answer: " + o.response().body()).isIn(-1, -2, 408);
        assertServesAndHoldsNothing();
    }

    @Test
    void bodyTrickledByteByByteGets408AndTheConnectionClosed() throws Exception {
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + FaultGateway.CLIENT_KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n";
        Outcome o = slowClient(head, "{\"model\":\"qwen\",\"messages\":[" + " ".repeat(4970) + "]}");
        assertThat(o.trickled()).isLessThan(o.total());
        assertThat(o.response().status()).isEqualTo(408);
        JsonNode e = Json.parse(o.response().body()).get("error");
        assertThat(e.get("code").asText()).isEqualTo("request_timeout");
        assertThat(o.response().header("connection")).isEqualToIgnoringCase("close");
        assertServesAndHoldsNothing();
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", g.port())) {
            s.setSoTimeout(30_000);
            RawHttp.Response r = RawHttp.read(s.getInputStream()); // returns when the gateway closes
            assertThat(r.status()).isEqualTo(-1);
            assertThat(r.body()).isEmpty();
        }
    }

    @Test
    void aClientThatStopsReadingAStreamDoesNotHoldTheProviderSlot() throws Exception {
        String body = "{\"model\":\"endless\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (Socket s = new Socket("127.0.0.1", g.port())) {
            s.setReceiveBufferSize(4096);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + FaultGateway.CLIENT_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(s.getInputStream().read()).as("the stream started").isGreaterThan(0);
            // ... and this client never reads again. Backpressure pauses the upstream; idle_timeout (1s) then ends the
            // attempt, resets the upstream request and frees the slot, although the client still holds its socket.
            assertThat(g.upstream.awaitCancellation("endless", java.time.Duration.ofSeconds(30))).as("upstream request reset").isTrue();
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            int inFlight = -1;
            while (System.nanoTime() < deadline) {
                inFlight = 0;
                JsonNode status = Json.parse(RawHttp.exchange(g.port(), "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + FaultGateway.CLIENT_KEY, null, 30_000).body());
                for (JsonNode p : status.get("providers")) inFlight += p.get("in_flight").asInt();
                if (inFlight == 0) break;
                Thread.sleep(20); // polling /status, bounded by the deadline
            }
            assertThat(inFlight).as("provider slots held").isZero();
        }
        assertServesAndHoldsNothing();
    }

    @Test
    void aNormalRequestIsNotAffected() throws Exception {
        assertServesAndHoldsNothing();
    }

    private static void assertServesAndHoldsNothing() throws Exception {
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + FaultGateway.CLIENT_KEY
                + "\r\nContent-Type: application/json";
        RawHttp.Response ok = RawHttp.exchange(g.port(), head,
                FaultGateway.chat("qwen", false, "fine").getBytes(StandardCharsets.UTF_8), 30_000);
        assertThat(ok.status()).isEqualTo(200);
        JsonNode status = Json.parse(RawHttp.exchange(g.port(), "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + FaultGateway.CLIENT_KEY, null, 30_000).body());
        assertThat(status.get("in_flight").asInt()).as("only the /status request itself").isLessThanOrEqualTo(1);
        for (JsonNode p : status.get("providers")) assertThat(p.get("in_flight").asInt()).isZero();
    }
}
