package dev.tailgate.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.ApiException;
import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.auth.Caller;
import dev.tailgate.gateway.chat.ChatCaller;
import dev.tailgate.gateway.chat.ChatStreamListener;
import dev.tailgate.wire.ApiError;
import dev.tailgate.wire.Json;
import io.vertx.core.http.HttpMethod;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The internal API the /v1/responses bridge uses, and the extension hook that registers its route. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatCallerTest {
    static Harness h;

    /** The running gateway's one chat caller, as every extension gets it (the bridges' way in). */
    static volatile ChatCaller chatCaller;

    static ChatCaller caller() {
        return chatCaller;
    }

    @BeforeAll
    static void start() {
        h = Harness.start("", o -> o.extension((gateway, chat, routes) -> {
            chatCaller = chat;
            routes.json(HttpMethod.POST, "/v1/test-bridge", (ex, body, raw) -> {
                ObjectNode request = Json.object().put("model", body.get("model").asText());
                request.putArray("messages").addObject().put("role", "user").put("content", body.get("input").asText());
                chat.complete(ex.ctx(), request)
                        .onSuccess(c -> ex.json(200, Json.object().put("output", c.at("/choices/0/message/content").asText())
                                .put("model", c.get("model").asText())))
                        .onFailure(e -> ex.fail(ApiException.of(e)));
            });
        }));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private static RequestContext ctx() {
        RequestContext c = new RequestContext("test-rid", System.nanoTime(), "POST", "/v1/responses");
        c.caller(new Caller("tester", false, List.of("*"), false));
        return c;
    }

    private static ObjectNode chat(String model, String text) {
        ObjectNode o = Json.object().put("model", model);
        o.putArray("messages").addObject().put("role", "user").put("content", text);
        return o;
    }

    @Test
    void completeReturnsTheCompletionWithTheAlias() throws Exception {
        ObjectNode c = caller().complete(ctx(), chat("qwen", "hello")).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertThat(c.get("model").asText()).isEqualTo("qwen");
        assertThat(c.at("/choices/0/message/content").asText()).isEqualTo("echo: hello");
        assertThat(h.upstream.lastRequest().json().get("stream").asBoolean()).isFalse();
    }

    @Test
    void completeFailsWithTheClientErrorForUnknownModelsAndUpstreamFailures() {
        assertThatThrownBy(() -> caller().complete(ctx(), chat("nope", "x")).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).error().status()).isEqualTo(404));
        assertThatThrownBy(() -> caller().complete(ctx(), chat("limited", "x")).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS))
                .cause().satisfies(e -> {
                    ApiError err = ((ApiException) e).error();
                    assertThat(err.status()).isEqualTo(429);
                    assertThat(err.retryAfterHeader()).isEqualTo("7");
                });
    }

    static final class Collect implements ChatStreamListener {
        final List<ObjectNode> chunks = new CopyOnWriteArrayList<>();
        final AtomicReference<ApiError> error = new AtomicReference<>();
        final AtomicReference<Boolean> afterFirst = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);

        public void onChunk(ObjectNode chunk) { chunks.add(chunk); }
        public void onComplete() { done.countDown(); }
        public void onError(ApiError e, boolean after) {
            error.set(e);
            afterFirst.set(after);
            done.countDown();
        }

        String text() {
            StringBuilder sb = new StringBuilder();
            for (ObjectNode c : chunks) for (var ch : c.path("choices")) sb.append(ch.path("delta").path("content").asText(""));
            return sb.toString();
        }
    }

    @Test
    void streamDeliversParsedChunksInOrderWithTheAlias() throws Exception {
        Collect l = new Collect();
        ObjectNode body = chat("qwen", "one two three");
        body.putObject("stream_options").put("include_usage", true);
        caller().stream(ctx(), body, l);
        assertThat(l.done.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(l.error.get()).isNull();
        assertThat(l.text()).isEqualTo("echo: one two three");
        assertThat(l.chunks).allSatisfy(c -> assertThat(c.get("model").asText()).isEqualTo("qwen"));
        assertThat(l.chunks.getLast().get("usage")).isNotNull();
    }

    @Test
    void streamReportsErrorsBeforeAndAfterTheFirstChunk() throws Exception {
        Collect before = new Collect();
        caller().stream(ctx(), chat("flaky-strict", "x"), before);
        assertThat(before.done.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(before.error.get().status()).isEqualTo(502);
        assertThat(before.afterFirst.get()).isFalse();

        Collect after = new Collect();
        caller().stream(ctx(), chat("cut", "x"), after);
        assertThat(after.done.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(after.chunks).isNotEmpty();
        assertThat(after.afterFirst.get()).isTrue();
    }

    @Test
    void cancelStopsTheUpstreamRequest() throws Exception {
        Collect l = new Collect();
        CountDownLatch gotOne = new CountDownLatch(1);
        ChatStreamListener wrapper = new ChatStreamListener() {
            public void onChunk(ObjectNode chunk) { l.onChunk(chunk); gotOne.countDown(); }
            public void onComplete() { l.onComplete(); }
            public void onError(ApiError e, boolean a) { l.onError(e, a); }
        };
        ChatCaller.Call call = caller().stream(ctx(), chat("slow", "x"), wrapper);
        assertThat(gotOne.await(20, TimeUnit.SECONDS)).isTrue();
        call.cancel();
        assertThat(h.upstream.awaitCancellation("slow-stream", java.time.Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void providersForShowsTheTargetsAndTheirFlags() {
        assertThat(caller().providersFor(ctx(), "flaky")).extracting(p -> p.name()).containsExactly("fake", "backup");
        assertThat(caller().providersFor(ctx(), "flaky").getFirst().responsesApi()).isFalse();
    }

    @Test
    void extensionRoutesAreAuthenticatedAndCanUseTheChatCaller() {
        HttpResponse<String> r = h.post("/v1/test-bridge", "{\"model\":\"qwen\",\"input\":\"bridged\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.parse(r.body()).get("output").asText()).isEqualTo("echo: bridged");
        assertThat(Json.parse(r.body()).get("model").asText()).isEqualTo("qwen");
        HttpResponse<String> noKey = h.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(h.base() + "/v1/test-bridge"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(noKey.statusCode()).isEqualTo(401);
    }
}
