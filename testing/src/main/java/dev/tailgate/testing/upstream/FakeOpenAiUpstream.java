package dev.tailgate.testing.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted fake OpenAI-compatible upstream on {@code 127.0.0.1:0}, for tests and benchmarks. Serves
 * {@code /v1/chat/completions}, {@code /v1/embeddings}, {@code /v1/audio/speech}, {@code /v1/audio/transcriptions},
 * {@code /v1/models}; the behaviour is chosen by the request's {@code model}:
 * <table>
 *   <tr><td>{@code echo} (and any unknown name)</td><td>answers "echo: &lt;last user text&gt;", streamed word by word when asked</td></tr>
 *   <tr><td>{@code echo-crlf}, {@code echo-cr}</td><td>as echo, SSE with CRLF / CR line endings</td></tr>
 *   <tr><td>{@code echo-fragmented}</td><td>as echo (stream), written in 1–7 byte pieces</td></tr>
 *   <tr><td>{@code gated-stream}</td><td>sends the role chunk and the first word, then waits for {@link #gate}("gated-stream")</td></tr>
 *   <tr><td>{@code slow-stream}</td><td>200 chunks, 25 ms apart</td></tr>
 *   <tr><td>{@code error-500}, {@code error-400}, {@code error-401}, {@code error-429}</td><td>that HTTP error (429 with Retry-After: 7; 401 echoes the key it got, like some providers do)</td></tr>
 *   <tr><td>{@code cut-mid-stream}</td><td>two content chunks, then drops the connection</td></tr>
 *   <tr><td>{@code stall-headers}</td><td>never answers</td></tr>
 *   <tr><td>{@code stall-mid-stream}</td><td>one content chunk, then silence</td></tr>
 *   <tr><td>{@code malformed-sse}</td><td>one chunk, then an event whose data is not JSON</td></tr>
 *   <tr><td>{@code ignores-stream}</td><td>answers a stream request with one JSON completion</td></tr>
 *   <tr><td>{@code invalid-json}</td><td>200 with a truncated JSON body (non-stream)</td></tr>
 *   <tr><td>{@code error-mid-stream}</td><td>one chunk, then an {@code {"error":...}} event</td></tr>
 *   <tr><td>{@code huge-json}</td><td>a valid completion of about 1 MiB, sent with its Content-Length</td></tr>
 *   <tr><td>{@code huge-stream}</td><td>a stream of about 1 MiB of content chunks (chunked, no length), then [DONE]</td></tr>
 *   <tr><td>{@code huge-chunked-json}</td><td>a valid completion of about 1 MiB, chunked (no Content-Length)</td></tr>
 *   <tr><td>{@code trickle-forever}</td><td>200 application/json, then one byte every 100 ms, never ending</td></tr>
 * </table>
 * Extend with {@link #behaviour(String, Behaviour)}. Every request is recorded (headers, raw body); requests whose
 * connection closed before the answer ended are counted as cancelled ({@link #awaitCancellation}).
 */
public final class FakeOpenAiUpstream implements AutoCloseable {
    private final Vertx vertx;
    private final HttpServer server;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> gates = new ConcurrentHashMap<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Semaphore> cancellations = new ConcurrentHashMap<>();
    private final Semaphore arrivals = new Semaphore(0);
    private final Semaphore starts = new Semaphore(0);

    private FakeOpenAiUpstream(Vertx vertx) {
        this.vertx = vertx;
        registerDefaults();
        this.server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(this::handle);
    }

    public static FakeOpenAiUpstream start() {
        FakeOpenAiUpstream f = new FakeOpenAiUpstream(Vertx.vertx());
        try {
            f.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            f.vertx.close();
            throw new IllegalStateException("fake upstream could not listen", e);
        }
        return f;
    }

    public int port() {
        return server.actualPort();
    }

    /** Base URL including {@code /v1}, as a provider's {@code base_url}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** Adds or replaces the behaviour for requests with this model name. */
    public FakeOpenAiUpstream behaviour(String model, Behaviour b) {
        behaviours.put(model, b);
        return this;
    }

    /** A gate a behaviour can wait on; complete it from the test to let the upstream continue. */
    public CompletableFuture<Void> gate(String name) {
        return gates.computeIfAbsent(name, k -> new CompletableFuture<>());
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public RecordedRequest lastRequest() {
        return requests.isEmpty() ? null : requests.getLast();
    }

    public void clear() {
        requests.clear();
        cancellations.clear();
        arrivals.drainPermits();
        starts.drainPermits();
    }

    /** Waits until {@code n} more requests have started arriving (headers seen, body perhaps still coming). */
    public boolean awaitRequestStarts(int n, Duration timeout) throws InterruptedException {
        return starts.tryAcquire(n, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until a request for upstream model {@code model} had its connection closed before its answer ended. */
    public boolean awaitCancellation(String model, Duration timeout) throws InterruptedException {
        return cancelled(model).tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Semaphore cancelled(String model) {
        return cancellations.computeIfAbsent(String.valueOf(model), k -> new Semaphore(0));
    }

    /** Waits until {@code n} more requests have arrived (fully read). */
    public boolean awaitRequests(int n, Duration timeout) throws InterruptedException {
        return arrivals.tryAcquire(n, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        gates.values().forEach(g -> g.complete(null));
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort in tests
        }
    }

    private void handle(HttpServerRequest req) {
        starts.release();
        req.body().onSuccess(buf -> {
            byte[] body = buf.getBytes();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            req.headers().forEach(e -> headers.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(e.getValue()));
            requests.add(new RecordedRequest(req.method().name(), req.uri(), Map.copyOf(headers), body));
            arrivals.release();
            JsonNode json = null;
            String model = null;
            String ct = req.getHeader("Content-Type");
            if (ct != null && ct.startsWith("application/json")) {
                try {
                    json = Json.parse(body);
                    model = json.path("model").asText(null);
                } catch (RuntimeException e) {
                    req.response().setStatusCode(400).end("{\"error\":{\"message\":\"fake upstream: bad json\",\"type\":\"invalid_request_error\"}}");
                    return;
                }
            } else if (ct != null && ct.startsWith("multipart/")) {
                Matcher m = Pattern.compile("name=\"model\"\r\n\r\n([^\r]*)\r\n").matcher(new String(body, StandardCharsets.ISO_8859_1));
                if (m.find()) model = m.group(1);
            }
            String m = model;
            req.response().closeHandler(v -> {
                if (!req.response().ended()) cancelled(m).release();
            });
            FakeExchange ex = new FakeExchange(vertx, req, body, json, model, this);
            Behaviour b = model == null ? null : behaviours.get(model);
            if (b != null) b.respond(ex);
            else defaultFor(ex);
        });
    }

    private void defaultFor(FakeExchange ex) {
        String p = ex.path();
        if (p.endsWith("/chat/completions")) echo(ex);
        else if (p.endsWith("/embeddings")) embeddings(ex);
        else if (p.endsWith("/audio/speech")) speech(ex);
        else if (p.endsWith("/audio/transcriptions")) transcription(ex);
        else if (p.endsWith("/models")) {
            ObjectNode o = Json.object().put("object", "list");
            ArrayNode data = o.putArray("data");
            behaviours.keySet().stream().sorted().forEach(k -> data.addObject().put("id", k).put("object", "model")
                    .put("created", 1_700_000_000L).put("owned_by", "fake"));
            ex.json(200, o);
        } else ex.error(404, "invalid_request_error", "not_found", "fake upstream: no route " + p);
    }

    private static void echo(FakeExchange ex) {
        String content = "echo: " + ex.lastUserText();
        if (ex.streamRequested()) ex.streamChunks(ex.chunks(content), 0);
        else ex.json(200, ex.completion(content));
    }

    private static void embeddings(FakeExchange ex) {
        JsonNode input = ex.json().path("input");
        List<String> inputs = new ArrayList<>();
        if (input.isTextual()) inputs.add(input.asText());
        else for (JsonNode n : input) inputs.add(n.toString());
        boolean base64 = "base64".equals(ex.json().path("encoding_format").asText());
        ObjectNode o = Json.object().put("object", "list");
        ArrayNode data = o.putArray("data");
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] v = vector(inputs.get(i));
            tokens += inputs.get(i).split("\\s+").length;
            ObjectNode d = data.addObject().put("object", "embedding").put("index", i);
            if (base64) {
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) bb.putFloat(f);
                d.put("embedding", Base64.getEncoder().encodeToString(bb.array()));
            } else {
                ArrayNode arr = d.putArray("embedding");
                for (float f : v) arr.add(f);
            }
        }
        o.put("model", ex.model());
        o.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        ex.json(200, o);
    }

    /** The fake's embedding of {@code text}: 8 deterministic floats (tests compute the same to compare). */
    public static float[] vector(String text) {
        float[] v = new float[8];
        int h = text.hashCode();
        for (int i = 0; i < v.length; i++) v[i] = ((h >>> (i * 3)) & 0xff) / 256f - 0.5f;
        return v;
    }

    /** Bytes the fake's speech endpoint returns (a WAV header then a ramp); tests compare against this. */
    public static byte[] speechBytes() {
        byte[] b = new byte[48_000];
        byte[] riff = "RIFF----WAVEfmt ".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(riff, 0, b, 0, riff.length);
        for (int i = riff.length; i < b.length; i++) b[i] = (byte) (i * 31);
        return b;
    }

    private static void speech(FakeExchange ex) {
        byte[] audio = speechBytes();
        var r = ex.response().setStatusCode(200).putHeader("Content-Type", "audio/wav").setChunked(true);
        for (int i = 0; i < audio.length; i += 4096) r.write(Buffer.buffer().appendBytes(audio, i, Math.min(4096, audio.length - i)));
        r.end();
    }

    private static void transcription(FakeExchange ex) {
        String fmt = "json";
        Matcher m = Pattern.compile("name=\"response_format\"\r\n\r\n([^\r]*)\r\n").matcher(new String(ex.body(), StandardCharsets.ISO_8859_1));
        if (m.find()) fmt = m.group(1);
        String text = "fake transcription by " + ex.model() + " of " + ex.body().length + " bytes";
        if (fmt.equals("text")) ex.response().putHeader("Content-Type", "text/plain").end(text);
        else ex.json(200, Json.object().put("text", text));
    }

    private static void trickle(FakeExchange ex) {
        ex.later(100, () -> {
            if (ex.response().closed() || ex.response().ended()) return;
            ex.response().write(" ");
            trickle(ex);
        });
    }

    private void registerDefaults() {
        behaviours.put("echo-crlf", ex -> {
            ex.lineEnding("\r\n");
            echo(ex);
        });
        behaviours.put("echo-cr", ex -> {
            ex.lineEnding("\r");
            echo(ex);
        });
        behaviours.put("echo-fragmented", ex -> {
            // the whole stream, written in 1..7-byte pieces (split inside UTF-8 characters, CRLF pairs and JSON)
            StringBuilder sb = new StringBuilder();
            for (ObjectNode c : ex.chunks("echo: " + ex.lastUserText())) sb.append("data: ").append(Json.string(c)).append("\r\n\r\n");
            sb.append("data: [DONE]\r\n\r\n");
            byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
            ex.startSse();
            java.util.Random rnd = new java.util.Random(all.length);
            for (int i = 0; i < all.length; ) {
                int n = Math.min(all.length - i, 1 + rnd.nextInt(7));
                ex.response().write(Buffer.buffer().appendBytes(all, i, n));
                i += n;
            }
            ex.response().end();
        });
        behaviours.put("gated-stream", ex -> {
            List<ObjectNode> chunks = ex.chunks("first second third");
            ex.startSse();
            ex.sendEvent(chunks.get(0));
            ex.sendEvent(chunks.get(1));
            gate("gated-stream").whenComplete((v, e) -> vertx.runOnContext(x -> ex.streamChunks(chunks.subList(2, chunks.size()), 0)));
        });
        behaviours.put("slow-stream", ex -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 200; i++) sb.append("w").append(i).append(' ');
            ex.streamChunks(ex.chunks(sb.toString().trim()), 25);
        });
        behaviours.put("error-500", ex -> ex.error(500, "server_error", null, "fake upstream exploded"));
        behaviours.put("error-400", ex -> {
            ObjectNode root = Json.object();
            root.putObject("error").put("message", "temperature is out of range").put("type", "invalid_request_error")
                    .put("param", "temperature").put("code", "invalid_value");
            ex.json(400, root);
        });
        behaviours.put("error-401", ex -> {
            String auth = ex.request().getHeader("Authorization");
            ex.error(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: " + auth);
        });
        behaviours.put("error-429", ex -> {
            ex.response().putHeader("Retry-After", "7");
            ex.error(429, "rate_limit_error", "rate_limit_exceeded", "fake upstream: slow down");
        });
        behaviours.put("cut-mid-stream", ex -> {
            List<ObjectNode> chunks = ex.chunks("one two three four");
            ex.startSse();
            ex.sendEvent(chunks.get(0));
            ex.sendEvent(chunks.get(1));
            ex.sendEvent(chunks.get(2));
            ex.later(20, ex::cut);
        });
        behaviours.put("stall-headers", ex -> { /* never answer */ });
        behaviours.put("stall-mid-stream", ex -> {
            List<ObjectNode> chunks = ex.chunks("one two");
            ex.startSse();
            ex.sendEvent(chunks.get(0));
            ex.sendEvent(chunks.get(1));
        });
        behaviours.put("malformed-sse", ex -> {
            List<ObjectNode> chunks = ex.chunks("one two");
            ex.startSse();
            ex.sendEvent(chunks.get(0));
            ex.sendRaw("data: {not json at all\n\n");
            ex.later(50, ex::sendDone);
        });
        behaviours.put("error-mid-stream", ex -> {
            List<ObjectNode> chunks = ex.chunks("one two");
            ex.startSse();
            ex.sendEvent(chunks.get(0));
            ex.sendRaw("data: {\"error\":{\"message\":\"fake upstream broke mid-stream\",\"type\":\"server_error\"}}\n\n");
            ex.later(20, ex::sendDone);
        });
        behaviours.put("huge-json", ex -> ex.json(200, ex.completion("x".repeat(1 << 20))));
        behaviours.put("huge-chunked-json", ex -> {
            byte[] all = Json.bytes(ex.completion("y".repeat(1 << 20)));
            var r = ex.response().setStatusCode(200).putHeader("Content-Type", "application/json").setChunked(true);
            for (int i = 0; i < all.length; i += 16 * 1024) r.write(Buffer.buffer().appendBytes(all, i, Math.min(16 * 1024, all.length - i)));
            r.end();
        });
        behaviours.put("huge-stream", ex -> {
            List<ObjectNode> chunks = new ArrayList<>();
            chunks.add(ex.chunk(Json.object().put("role", "assistant").put("content", ""), null));
            String piece = "z".repeat(8 * 1024);
            for (int i = 0; i < 128; i++) chunks.add(ex.chunk(Json.object().put("content", piece), null));
            chunks.add(ex.chunk(Json.object(), "stop"));
            ex.streamChunks(chunks, 0);
        });
        behaviours.put("trickle-forever", ex -> {
            ex.response().setStatusCode(200).putHeader("Content-Type", "application/json").setChunked(true);
            ex.response().write("{");
            trickle(ex);
        });
        behaviours.put("ignores-stream", ex -> ex.json(200, ex.completion("echo: " + ex.lastUserText())));
        behaviours.put("invalid-json", ex -> ex.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .end("{\"id\":\"chatcmpl-fake\",\"model\":\"invalid-json\",\"choices\":[{\"index\":0,"));
    }
}
