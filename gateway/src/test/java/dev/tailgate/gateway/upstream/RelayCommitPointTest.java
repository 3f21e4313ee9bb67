package dev.tailgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.auth.Caller;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.it.Harness;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay's one commit point: a piece the sink held back commits nothing (the dispatcher may still fall back), a
 * piece that reached the client does (no other target is tried after it), and the attempt succeeds before the sink's
 * last write.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayCommitPointTest {
    static Harness h;

    @BeforeAll
    static void start() {
        h = Harness.start("""
                held-back:
                  targets: [fake/usage-then-garbage, backup/echo]
                  fallback: true
                """);
        // one usage-only chunk (what include_usage adds at the end), then an event that is not JSON (a retryable failure)
        h.upstream.behaviour("usage-then-garbage", ex -> {
            var usage = Json.object().put("id", "chatcmpl-x").put("object", "chat.completion.chunk").put("model", ex.model());
            usage.putArray("choices");
            usage.putObject("usage").put("prompt_tokens", 3).put("completion_tokens", 0);
            ex.sendEvent(usage);
            ex.sendRaw("data: not json\n\n");
        });
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @BeforeEach
    void clear() {
        h.upstream.clear();
    }

    private static String stream(String model, boolean includeUsage) {
        return "{\"model\":\"" + model + "\",\"stream\":true" + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}";
    }

    @Test
    void aPieceTheSinkHeldBackCommitsNothingSoTheNextTargetAnswers() {
        // the client did not ask for usage: the usage-only chunk is read for the ledger but not delivered
        HttpResponse<String> r = h.post("/v1/chat/completions", stream("held-back", false));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("echo: ").contains("\"model\":\"held-back\"").endsWith("data: [DONE]\n\n")
                .doesNotContain("\"usage\"");
        assertThat(h.upstream.requests()).extracting(q -> q.json().get("model").asText()).containsExactly("usage-then-garbage", "echo");
    }

    @Test
    void aPieceThatReachedTheClientCommitsSoNoOtherTargetIsTried() {
        // the client asked for usage: the same chunk is delivered, and the failure after it ends the stream with an error
        HttpResponse<String> r = h.post("/v1/chat/completions", stream("held-back", true));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"usage\"").contains("\"error\"").doesNotContain("echo: ").doesNotContain("[DONE]");
        assertThat(h.upstream.requests()).extracting(q -> q.json().get("model").asText()).containsExactly("usage-then-garbage");
    }

    @Test
    void theAttemptSucceedsBeforeTheSinksLastWrite() throws Exception {
        Gateway gateway = h.gateway.gateway();
        RequestContext ctx = new RequestContext("commit-rid", System.nanoTime(), "POST", "/v1/chat/completions");
        ctx.caller(new Caller("tester", false, List.of("*"), false));
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        ProviderState fake = gateway.providers().get("fake");
        Relay<byte[]>[] relay = new Relay[1];
        relay[0] = new Relay<>(WholeBodyReader::new, new Relay.Sink<>() {
            @Override
            public boolean deliver(byte[] body) {
                seen.add("deliver " + Json.parse(body).path("object").asText() + " committed=" + relay[0].committed());
                return true;
            }

            @Override
            public void end() {
                // the attempt's verdict is in: its provider slot is back before anything could close the exchange
                seen.add("end committed=" + relay[0].committed() + " inFlight=" + fake.limits().inFlight());
                ended.complete(null);
            }

            @Override
            public void failBeforeCommit(ApiError error) {
                ended.completeExceptionally(new AssertionError(error.message()));
            }

            @Override
            public void abortAfterCommit(ApiError error) {
                ended.completeExceptionally(new AssertionError(error.message()));
            }
        });
        gateway.vertx().getOrCreateContext().runOnContext(v -> {
            List<Target> targets = gateway.targets(ctx, gateway.route(ctx, "qwen"));
            byte[] body = ("{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"one piece\"}]}").getBytes();
            gateway.dispatcher().dispatch(new Dispatcher.Plan(ctx, targets, false, HttpMethod.POST, "/chat/completions",
                    t -> UpstreamBody.bytes(Buffer.buffer(body), "application/json")), relay[0]);
        });
        ended.get(20, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("deliver chat.completion committed=false", "end committed=true inFlight=0");
    }
}
