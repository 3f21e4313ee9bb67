package dev.tailgate.local;

import dev.tailgate.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.local.engine.llama.TestHooks;
import dev.tailgate.local.engine.worker.WorkerMain;
import dev.tailgate.local.engine.worker.WorkerProcessFactory;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * qwen-local's acceptance points, end to end: the production engines (every model in its own worker JVM: llama.cpp on
 * a synthetic qwen2 GGUF, the built-in ONNX embeddings model) behind {@link LocalServer}, driven only through HTTP on
 * 127.0.0.1 with java.net.http.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LocalAcceptanceTest {
    @TempDir
    static Path tmp;
    static LocalServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** Workers with the test hooks on: a prompt containing the hang marker wedges the engine like a stuck native call. */
    static EngineRegistry workers(Path logs) {
        WorkerProcessFactory f = new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(logs)
                .withEnvironment(Map.of(TestHooks.ENABLE, "1")));
        return new EngineRegistry().register("llama.cpp", f).register("onnx", f);
    }

    static LocalConfig config(Path dir, String models) throws Exception {
        return new ConfigLoader(LocalServer.ENGINES).parse("""
                listen: 127.0.0.1:0
                models_dir: %s
                memory_budget: 6GiB
                shutdown_grace: 2s
                models:
                %s""".formatted(dir, models.indent(2)), dir);
    }

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SyntheticGguf.tiny().type(GgmlType.F16).seed(3).write(models.resolve("tiny.gguf"));
        SyntheticGguf.tiny().type(GgmlType.Q8_0).seed(11).write(models.resolve("crashy.gguf"));
        SyntheticGguf.tiny().arch(SyntheticGguf.Arch.QWEN3).write(models.resolve("q3.gguf"));
        server = LocalServer.builder(config(models, """
                tiny:
                  capability: chat
                  engine: llama.cpp
                  file: tiny.gguf
                  context: 2048
                  threads: 1
                crashy:
                  capability: chat
                  engine: llama.cpp
                  file: crashy.gguf
                  context: 512
                  threads: 1
                q3:
                  capability: chat
                  engine: llama.cpp
                  file: q3.gguf
                  threads: 1
                mini:
                  capability: embeddings
                  engine: onnx
                """)).engines(workers(tmp.resolve("logs"))).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    // ---------------------------------------------------------------- chat

    @Test
    void streamDeltasConcatenateToTheNonStreamTextForTheSameSeedAndBothCarryUsage() throws Exception {
        ObjectNode body = chat("tiny", "tell me a story").put("max_tokens", 24).put("temperature", 0.9).put("seed", 1234);
        HttpResponse<String> plain = post(server, "/v1/chat/completions", Json.string(body));
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
        JsonNode answer = Json.parse(plain.body());
        assertThat(answer.get("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.get("model").asText()).isEqualTo("tiny");
        String text = answer.get("choices").get(0).get("message").get("content").asText();
        assertThat(text).isNotEmpty();
        JsonNode usage = answer.get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).isPositive();
        assertThat(usage.get("completion_tokens").asInt()).isBetween(1, 24);
        assertThat(usage.get("total_tokens").asInt())
                .isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());

        ObjectNode streamed = body.deepCopy().put("stream", true);
        streamed.putObject("stream_options").put("include_usage", true);
        HttpResponse<String> s = post(server, "/v1/chat/completions", Json.string(streamed));
        assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
        assertThat(s.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        Sse sse = Sse.parse(s.body());
        assertThat(sse.done).as("ends with [DONE]").isTrue();
        assertThat(sse.deltas).as("several deltas").hasSizeGreaterThan(1);
        assertThat(String.join("", sse.deltas)).isEqualTo(text);
        assertThat(sse.finishReason).isEqualTo(answer.get("choices").get(0).get("finish_reason").asText());
        assertThat(sse.usage).as("usage chunk with include_usage").isNotNull();
        assertThat(sse.usage.get("completion_tokens").asInt()).isEqualTo(usage.get("completion_tokens").asInt());
        assertThat(sse.usage.get("prompt_tokens").asInt()).isEqualTo(usage.get("prompt_tokens").asInt());

        // without include_usage the stream carries no usage chunk
        HttpResponse<String> noUsage = post(server, "/v1/chat/completions", Json.string(body.deepCopy().put("stream", true)));
        Sse bare = Sse.parse(noUsage.body());
        assertThat(bare.done).isTrue();
        assertThat(bare.usage).isNull();
        assertThat(String.join("", bare.deltas)).isEqualTo(text);
    }

    @Test
    void stopStringsEndTheOutputBeforeTheStopWithFinishReasonStop() throws Exception {
        ObjectNode greedy = chat("tiny", "abc").put("max_tokens", 40).put("temperature", 0);
        String full = content(post(server, "/v1/chat/completions", Json.string(greedy)));
        assertThat(full.length()).as("greedy output %s", Json.string(full)).isGreaterThan(12);
        String stop = firstOccurringPiece(full, 6, 3);
        int at = full.indexOf(stop);

        ObjectNode withStop = greedy.deepCopy();
        withStop.putArray("stop").add("\u0001never-produced").add(stop);
        HttpResponse<String> r = post(server, "/v1/chat/completions", Json.string(withStop));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode choice = Json.parse(r.body()).get("choices").get(0);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(choice.get("message").get("content").asText()).isEqualTo(full.substring(0, at)).doesNotContain(stop);

        // streamed, with stop as a single string: the stop text never reaches the client either
        ObjectNode streamed = greedy.deepCopy().put("stop", stop).put("stream", true);
        Sse sse = Sse.parse(post(server, "/v1/chat/completions", Json.string(streamed)).body());
        assertThat(sse.done).isTrue();
        assertThat(sse.finishReason).isEqualTo("stop");
        assertThat(String.join("", sse.deltas)).isEqualTo(full.substring(0, at));
    }

    @Test
    void maxTokensGivesExactlyThatManyCompletionTokensAndFinishReasonLength() throws Exception {
        for (int max : new int[] {1, 7}) {
            ObjectNode body = chat("tiny", "count to a hundred").put("max_tokens", max).put("temperature", 0);
            HttpResponse<String> r = post(server, "/v1/chat/completions", Json.string(body));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode answer = Json.parse(r.body());
            assertThat(answer.get("usage").get("completion_tokens").asInt()).isEqualTo(max);
            assertThat(answer.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");

            ObjectNode streamed = body.deepCopy().put("stream", true);
            streamed.putObject("stream_options").put("include_usage", true);
            Sse sse = Sse.parse(post(server, "/v1/chat/completions", Json.string(streamed)).body());
            assertThat(sse.finishReason).isEqualTo("length");
            assertThat(sse.usage.get("completion_tokens").asInt()).isEqualTo(max);
        }
        // max_completion_tokens is the newer spelling of the same limit
        ObjectNode newer = chat("tiny", "count").put("max_completion_tokens", 5).put("temperature", 0);
        JsonNode answer = Json.parse(post(server, "/v1/chat/completions", Json.string(newer)).body());
        assertThat(answer.get("usage").get("completion_tokens").asInt()).isEqualTo(5);
        assertThat(answer.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void jsonSchemaResponseFormatYieldsJsonMatchingTheSchema() throws Exception {
        ObjectNode body = chat("tiny", "describe a thing as json").put("max_tokens", 400).put("temperature", 0.8).put("seed", 5);
        ObjectNode schema = body.putObject("response_format").put("type", "json_schema")
                .putObject("json_schema").put("name", "thing").put("strict", true).putObject("schema");
        schema.put("type", "object").put("additionalProperties", false);
        ObjectNode props = schema.putObject("properties");
        props.putObject("ok").put("type", "boolean");
        props.putObject("color").put("type", "string").putArray("enum").add("red").add("green").add("blue");
        props.putObject("count").put("type", "integer");
        schema.putArray("required").add("ok").add("color").add("count");

        for (boolean stream : new boolean[] {false, true}) {
            ObjectNode req = body.deepCopy();
            if (stream) req.put("stream", true);
            HttpResponse<String> r = post(server, "/v1/chat/completions", Json.string(req));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            String text;
            String finish;
            if (stream) {
                Sse sse = Sse.parse(r.body());
                text = String.join("", sse.deltas);
                finish = sse.finishReason;
            } else {
                JsonNode choice = Json.parse(r.body()).get("choices").get(0);
                text = choice.get("message").get("content").asText();
                finish = choice.get("finish_reason").asText();
            }
            assertThat(finish).as(text).isEqualTo("stop");
            JsonNode parsed = Json.parse(text);
            assertThat(parsed.isObject()).as(text).isTrue();
            assertThat(iterable(parsed.fieldNames())).as(text).containsExactlyInAnyOrder("ok", "color", "count");
            assertThat(parsed.get("ok").isBoolean()).as(text).isTrue();
            assertThat(parsed.get("color").asText()).as(text).isIn("red", "green", "blue");
            assertThat(parsed.get("count").isIntegralNumber()).as(text).isTrue();
        }
    }

    // ---------------------------------------------------------------- failures

    @Test
    void aQwen3ModelIsReportedUnsupportedAndTheServiceStaysUp() throws Exception {
        HttpResponse<String> r = post(server, "/v1/chat/completions", Json.string(chat("q3", "hello").put("max_tokens", 3)));
        assertThat(r.statusCode()).as(r.body()).isIn(400, 422, 503);
        JsonNode err = Json.parse(r.body()).get("error");
        assertThat(err).as(r.body()).isNotNull();
        assertThat(err.get("message").asText()).contains("qwen3");
        assertThat(err.has("type")).isTrue();
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
        if (r.statusCode() == 503) assertThat(r.headers().firstValue("retry-after")).isPresent();

        JsonNode q3 = model(server, "q3");
        assertThat(q3.get("state").asText()).isIn("failed", "unavailable");
        assertThat(q3.get("reason").asText()).contains("architecture 'qwen3'");

        // the service and its other models are fine
        assertThat(get(server, "/health").statusCode()).isEqualTo(200);
        assertThat(post(server, "/v1/chat/completions", Json.string(chat("tiny", "still there?").put("max_tokens", 2))).statusCode())
                .isEqualTo(200);
        // and a second attempt is refused the same way, not hung
        HttpResponse<String> again = post(server, "/v1/chat/completions", Json.string(chat("q3", "again").put("max_tokens", 3)));
        assertThat(again.statusCode()).isEqualTo(r.statusCode());
    }

    @Test
    void aWorkerKilledWhileIdleIsReportedFailedAndTheNextRequestRestartsIt() throws Exception {
        String warm = Json.string(chat("crashy", "warm up").put("max_tokens", 3).put("temperature", 0));
        assertThat(post(server, "/v1/chat/completions", warm).statusCode()).isEqualTo(200);
        assertThat(model(server, "crashy").get("state").asText()).isEqualTo("ready");

        String crashyFile = tmp.resolve("models").resolve("crashy.gguf").toString();
        ProcessHandle worker = workerOf(crashyFile);
        assertThat(worker.destroyForcibly()).as("SIGKILL sent").isTrue();
        worker.onExit().get(30, TimeUnit.SECONDS);

        await("crashy reported failed", () -> model(server, "crashy").get("state").asText().equals("failed"));
        JsonNode failed = model(server, "crashy");
        assertThat(failed.get("reason").asText()).contains("died").contains("SIGKILL");
        assertThat(get(server, "/health").statusCode()).isEqualTo(200);

        HttpResponse<String> next = post(server, "/v1/chat/completions", warm);
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        assertThat(model(server, "crashy").get("state").asText()).isIn("ready", "busy");
        assertThat(workerOf(crashyFile).pid()).as("a new worker").isNotEqualTo(worker.pid());
    }

    /** The one live worker process whose command line names {@code file} (an absolute path: the model spec is an argument). */
    static ProcessHandle workerOf(String file) {
        List<ProcessHandle> found = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> { String c = commandLine(p); return c.contains(WorkerMain.class.getName()) && c.contains(file); })
                .toList();
        assertThat(found).as("worker processes for %s", file).hasSize(1);
        return found.getFirst();
    }

    /**
     * The full command line: {@code ProcessHandle.Info.commandLine()} is cut at 4096 characters on Linux, before a
     * worker's last argument (the model spec) when the classpath is long, so read /proc where it exists.
     */
    static String commandLine(ProcessHandle p) {
        Path proc = Path.of("/proc", Long.toString(p.pid()), "cmdline");
        try {
            if (Files.isReadable(proc)) return new String(Files.readAllBytes(proc), java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (java.io.IOException gone) {
            return "";
        }
        return p.info().commandLine().orElse("");
    }

    // ---------------------------------------------------------------- embeddings

    @Test
    void embeddingsAreSemanticAndBase64IsLittleEndianFloat32OfTheSameVector() throws Exception {
        HttpResponse<String> r = post(server, "/v1/embeddings",
                "{\"model\":\"mini\",\"input\":[\"cat\",\"kitten\",\"car\"],\"encoding_format\":\"float\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = Json.parse(r.body());
        assertThat(answer.get("object").asText()).isEqualTo("list");
        assertThat(answer.get("usage").get("prompt_tokens").asInt()).isPositive();
        JsonNode data = answer.get("data");
        assertThat(data).hasSize(3);
        float[] cat = floats(data.get(0).get("embedding"));
        float[] kitten = floats(data.get(1).get("embedding"));
        float[] car = floats(data.get(2).get("embedding"));
        assertThat(cat).hasSize(384);
        assertThat(cosine(cat, kitten)).as("cat~kitten vs cat~car").isGreaterThan(cosine(cat, car));

        HttpResponse<String> b = post(server, "/v1/embeddings",
                "{\"model\":\"mini\",\"input\":[\"cat\",\"kitten\",\"car\"],\"encoding_format\":\"base64\"}");
        assertThat(b.statusCode()).as(b.body()).isEqualTo(200);
        JsonNode bdata = Json.parse(b.body()).get("data");
        for (int i = 0; i < 3; i++) {
            assertThat(bdata.get(i).get("index").asInt()).isEqualTo(i);
            assertThat(bdata.get(i).get("embedding").isTextual()).isTrue();
            byte[] raw = Base64.getDecoder().decode(bdata.get(i).get("embedding").asText());
            assertThat(raw).hasSize(384 * 4);
            ByteBuffer le = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            float[] decoded = new float[384];
            for (int k = 0; k < decoded.length; k++) decoded[k] = le.getFloat();
            assertThat(decoded).as("item %d", i).containsExactly(floats(data.get(i).get("embedding")));
        }
    }

    // ---------------------------------------------------------------- admission + watchdog

    /**
     * One slot, two queue places, the real engine: a wedged first job holds the slot, 7 more streamed requests arrive
     * together — 2 queue, 5 get 429 + Retry-After. The watchdog (driven by a fake clock so nothing depends on how busy
     * the machine is) kills the wedged worker; the queued requests are then served by a fresh worker.
     */
    @Test
    void aFullQueueRefusesWith429AndTheWatchdogUnwedgesTheSlot(@TempDir Path dir) throws Exception {
        SyntheticGguf.tiny().type(GgmlType.Q8_0).seed(7).write(dir.resolve("held.gguf"));
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        try (LocalServer held = LocalServer.builder(config(dir, """
                held:
                  capability: chat
                  engine: llama.cpp
                  file: held.gguf
                  context: 1024
                  threads: 1
                  max_concurrency: 1
                  max_queue: 2
                  stuck_after: 2s
                """)).engines(workers(dir.resolve("logs"))).clock(clock).autoTick(false).start()) {
            ObjectNode wedge = chat("held", "please " + TestHooks.HANG_MARKER).put("max_tokens", 200).put("stream", true);
            CompletableFuture<HttpResponse<String>> first = postAsync(held, Json.string(wedge));
            await("the wedged job holds the slot", () -> model(held, "held").get("in_flight").asInt() == 1);

            ObjectNode normal = chat("held", "a long answer please").put("max_tokens", 200).put("temperature", 0).put("stream", true);
            normal.putObject("stream_options").put("include_usage", true);
            List<CompletableFuture<HttpResponse<String>>> rest = new ArrayList<>();
            for (int i = 0; i < 7; i++) rest.add(postAsync(held, Json.string(normal)));

            // the refusals come back at once, while the slot is still held
            List<HttpResponse<String>> refused = new ArrayList<>();
            await("five refusals", () -> rest.stream().filter(f -> f.isDone() && f.join().statusCode() == 429).count() == 5);
            for (CompletableFuture<HttpResponse<String>> f : rest) if (f.isDone()) refused.add(f.join());
            assertThat(refused).hasSize(5);
            for (HttpResponse<String> r : refused) {
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(Json.parse(r.body()).get("error").get("code").asText()).isEqualTo("queue_full");
                assertThat(r.headers().firstValue("retry-after")).isPresent();
                assertThat(Integer.parseInt(r.headers().firstValue("retry-after").orElseThrow())).isPositive();
            }
            JsonNode busy = model(held, "held");
            assertThat(busy.get("state").asText()).isEqualTo("busy");
            assertThat(busy.get("in_flight").asInt()).isEqualTo(1);
            assertThat(busy.get("queued").asInt()).isEqualTo(2);
            assertThat(first).as("the wedged job is still held").isNotDone();

            // no progress for longer than stuck_after: the watchdog kills the worker and fails the wedged job
            ProcessHandle wedgedWorker = workerOf(dir.resolve("held.gguf").toString());
            clock.advance(Duration.ofSeconds(3));
            held.scheduler().tick();
            HttpResponse<String> stuck = first.get(60, TimeUnit.SECONDS);
            assertThat(stuck.statusCode()).as(stuck.body()).isEqualTo(503);
            assertThat(Json.parse(stuck.body()).get("error").get("code").asText()).isEqualTo("unavailable");
            assertThat(stuck.headers().firstValue("retry-after")).isPresent();
            wedgedWorker.onExit().get(30, TimeUnit.SECONDS);

            // the two queued streams are served by a fresh worker, completely
            List<HttpResponse<String>> served = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> f : rest) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                if (r.statusCode() != 429) served.add(r);
            }
            assertThat(served).hasSize(2);
            for (HttpResponse<String> r : served) {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                Sse sse = Sse.parse(r.body());
                assertThat(sse.done).isTrue();
                assertThat(sse.usage.get("completion_tokens").asInt()).isBetween(1, 200);
            }
            JsonNode after = model(held, "held");
            assertThat(after.get("state").asText()).isEqualTo("ready");
            assertThat(after.get("in_flight").asInt()).isZero();
            assertThat(after.get("queued").asInt()).isZero();
        }
    }

    // ---------------------------------------------------------------- helpers

    static ObjectNode chat(String model, String content) {
        ObjectNode root = Json.object();
        root.put("model", model);
        root.putArray("messages").addObject().put("role", "user").put("content", content);
        return root;
    }

    static URI uri(LocalServer s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    static HttpResponse<String> get(LocalServer s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static CompletableFuture<HttpResponse<String>> postAsync(LocalServer s, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(uri(s, "/v1/chat/completions")).timeout(Duration.ofSeconds(180))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(LocalServer s, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(120))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String content(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("choices").get(0).get("message").get("content").asText();
    }

    static JsonNode model(LocalServer s, String id) throws Exception {
        for (JsonNode m : Json.parse(get(s, "/status").body()).get("models")) if (m.get("id").asText().equals(id)) return m;
        throw new AssertionError("model " + id + " not in /status");
    }

    /** A non-blank piece of {@code text} of {@code len} chars, from {@code from} on, whose first occurrence is where it was taken. */
    static String firstOccurringPiece(String text, int from, int len) {
        for (int i = from; i + len <= text.length(); i++) {
            String piece = text.substring(i, i + len);
            if (!piece.isBlank() && text.indexOf(piece) == i) return piece;
        }
        throw new AssertionError("no usable stop string in " + Json.string(text));
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static <T> Iterable<T> iterable(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** Polls (bounded: the machine may be busy) until the condition holds. */
    static void await(String what, Harness.CheckedCondition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) return;
            Thread.sleep(20);
        }
        fail("timed out waiting for: " + what);
    }

    /** A chat completion SSE stream, taken apart (and checked: one id, nothing after [DONE], no error event). */
    static final class Sse {
        final List<String> deltas = new ArrayList<>();
        String finishReason;
        JsonNode usage;
        boolean done;
        final Set<String> ids = new java.util.HashSet<>();

        static Sse parse(String body) {
            Sse s = new Sse();
            for (String event : ChatApiTest.events(body)) {
                assertThat(event).as("SSE event").startsWith("data: ");
                assertThat(s.done).as("nothing after [DONE]").isFalse();
                String data = event.substring(6);
                if (data.equals("[DONE]")) {
                    s.done = true;
                    continue;
                }
                JsonNode chunk = Json.parse(data);
                assertThat(chunk.has("error")).as(data).isFalse();
                assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
                s.ids.add(chunk.get("id").asText());
                if (chunk.hasNonNull("usage")) s.usage = chunk.get("usage");
                for (JsonNode c : chunk.get("choices")) {
                    JsonNode content = c.path("delta").path("content");
                    if (content.isTextual() && !content.asText().isEmpty()) s.deltas.add(content.asText());
                    if (c.hasNonNull("finish_reason")) s.finishReason = c.get("finish_reason").asText();
                }
            }
            assertThat(s.ids).as("one id for the whole stream").hasSize(1);
            return s;
        }
    }
}
