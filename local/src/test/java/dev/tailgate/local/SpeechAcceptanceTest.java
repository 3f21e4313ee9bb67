package dev.tailgate.local;

import static dev.tailgate.local.LocalAcceptanceTest.await;
import static dev.tailgate.local.LocalAcceptanceTest.config;
import static dev.tailgate.local.LocalAcceptanceTest.get;
import static dev.tailgate.local.LocalAcceptanceTest.model;
import static dev.tailgate.local.LocalAcceptanceTest.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFactory;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.audio.AudioDecoder;
import dev.tailgate.local.engine.llama.TestHooks;
import dev.tailgate.local.engine.speech.EspeakTestAccess;
import dev.tailgate.local.engine.worker.WorkerProcessFactory;
import dev.tailgate.testing.MutableClock;
import dev.tailgate.testing.NodeClients;
import dev.tailgate.wire.Json;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /v1/audio/speech end to end: the espeak-ng engine in its own worker process behind {@link LocalServer}, driven
 * through HTTP on 127.0.0.1 (and by the official openai Node SDK when {@code clients/} is installed).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SpeechAcceptanceTest {
    @TempDir
    static Path tmp;
    static LocalServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        server = LocalServer.builder(config(Files.createDirectories(tmp.resolve("models")), """
                voice:
                  capability: speech
                  engine: espeak-ng
                mini:
                  capability: embeddings
                  engine: onnx
                """)).engines(workers(tmp.resolve("logs"))).start();
    }

    /** Production workers with the test hooks on: an input containing the hang marker wedges the engine. */
    static EngineRegistry workers(Path logs) {
        WorkerProcessFactory f = new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(logs)
                .withEnvironment(java.util.Map.of(TestHooks.ENABLE, "1")));
        EngineRegistry registry = new EngineRegistry();
        LocalServer.ENGINES.keySet().forEach(name -> registry.register(name, f));
        return registry;
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static ObjectNode speech(String model, String input) {
        ObjectNode b = Json.object();
        b.put("model", model);
        b.put("input", input);
        b.put("voice", "alloy");
        return b;
    }

    static HttpResponse<byte[]> post(LocalServer s, ObjectNode body) throws Exception {
        return HTTP.send(request(s, body), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpRequest request(LocalServer s, ObjectNode body) {
        return HttpRequest.newBuilder(uri(s, "/v1/audio/speech")).timeout(Duration.ofSeconds(120))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.string(body))).build();
    }

    static JsonNode error(HttpResponse<byte[]> r) {
        return Json.parse(new String(r.body(), StandardCharsets.UTF_8)).get("error");
    }

    @Test
    void speaksEveryFormatWithItsContentTypeAndAPlausibleDuration() throws Exception {
        String text = "Hello world, this is qwen local speaking through espeak.";
        HttpResponse<byte[]> wav = post(server, speech("voice", text).put("response_format", "wav"));
        assertThat(wav.statusCode()).isEqualTo(200);
        assertThat(wav.headers().firstValue("content-type")).hasValue("audio/wav");
        double seconds = AudioDecoder.decode(wav.body(), 0).seconds();
        assertThat(seconds).isBetween(2.0, 8.0);
        for (String format : List.of("mp3", "opus", "aac", "flac", "pcm")) {
            HttpResponse<byte[]> r = post(server, speech("voice", text).put("response_format", format));
            assertThat(r.statusCode()).as(format).isEqualTo(200);
            AudioDecoder.Decoded d = format.equals("pcm") ? AudioDecoder.decode(r.body(), "s16le", 24_000, 0)
                    : AudioDecoder.decode(r.body(), 0);
            assertThat(d.sourceSampleRate()).as(format).isEqualTo(format.equals("opus") ? 48_000 : 24_000);
            assertThat(d.seconds()).as(format).isCloseTo(seconds, within(seconds * 0.10));
        }
        HttpResponse<byte[]> dflt = post(server, speech("voice", text));
        assertThat(dflt.headers().firstValue("content-type")).as("mp3 by default").hasValue("audio/mpeg");
    }

    @Test
    void audioIsStreamedInChunksAndAsSseEvents() throws Exception {
        String text = "One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten.";
        HttpResponse<java.io.InputStream> r = HTTP.send(request(server, speech("voice", text).put("response_format", "pcm")),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).as("chunked, not sized").isEmpty();
        byte[] pcm;
        try (var in = r.body()) {
            pcm = in.readAllBytes();
        }
        assertThat(pcm.length / 2.0 / 24_000).isBetween(2.0, 10.0);

        HttpResponse<String> sse = HTTP.send(HttpRequest.newBuilder(uri(server, "/v1/audio/speech"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.string(speech("voice", text).put("stream_format", "sse")
                        .put("response_format", "pcm")))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        ByteArrayOutputStream audio = new ByteArrayOutputStream();
        List<String> types = new ArrayList<>();
        for (String event : ChatApiTest.events(sse.body())) {
            JsonNode e = Json.parse(event.substring("data: ".length()));
            types.add(e.get("type").asText());
            if (e.has("audio")) audio.writeBytes(Base64.getDecoder().decode(e.get("audio").asText()));
        }
        assertThat(types.getLast()).isEqualTo("speech.audio.done");
        assertThat(types.subList(0, types.size() - 1)).hasSizeGreaterThan(1).containsOnly("speech.audio.delta");
        assertThat(audio.size()).as("the same audio as the plain stream").isCloseTo(pcm.length, within(pcm.length / 20));
    }

    @Test
    void badRequestsAreRefusedWithTheFieldNamed() throws Exception {
        record Case(ObjectNode body, String param, String says) {}
        List<Case> cases = List.of(
                new Case(speech("voice", "x".repeat(4097)), "input", "maximum length 4096"),
                new Case(speech("voice", ""), "input", "empty"),
                new Case(speech("voice", "hi").put("voice", "nobody"), "voice", "alloy"),
                new Case(speech("voice", "hi").put("speed", 4.5), "speed", "0.25"),
                new Case(speech("voice", "hi").put("speed", 0.1), "speed", "0.25"),
                new Case(speech("voice", "hi").put("response_format", "ogg"), "response_format", "mp3, opus, aac, flac, wav, pcm"),
                new Case(speech("voice", "hi").put("stream_format", "chunks"), "stream_format", "sse"),
                new Case(speech("mini", "hi"), "model", "wrong capability"));
        for (Case c : cases) {
            HttpResponse<byte[]> r = post(server, c.body());
            assertThat(r.statusCode()).as(c.param()).isEqualTo(400);
            assertThat(error(r).get("param").asText()).isEqualTo(c.param());
            assertThat(error(r).get("message").asText()).contains(c.says());
        }
        HttpResponse<byte[]> unknown = post(server, speech("ghost", "hi"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(post(server, speech("voice", "x".repeat(4096)).put("response_format", "pcm")).statusCode())
                .as("exactly 4096 characters is allowed").isEqualTo(200);
    }

    @Test
    void voicesAreListed() throws Exception {
        JsonNode list = Json.parse(get(server, "/v1/audio/voices").body());
        assertThat(list.get("object").asText()).isEqualTo("list");
        List<String> ids = new ArrayList<>();
        list.get("data").forEach(v -> {
            assertThat(v.get("model").asText()).isEqualTo("voice");
            ids.add(v.get("id").asText());
        });
        assertThat(ids).contains("alloy", "echo", "fable", "onyx", "nova", "shimmer");
        assertThat(Json.parse(get(server, "/v1/audio/voices?model=mini").body()).get("data")).isEmpty();
    }

    static final String HELD = """
            held:
              capability: speech
              engine: espeak-ng
              max_concurrency: 1
              max_queue: 2
              stuck_after: %s
            """;

    /** The worker process of {@code model}, as /status names it. */
    static ProcessHandle worker(LocalServer s, String model) throws Exception {
        JsonNode process = model(s, model).get("process");
        assertThat(process).as("/status names the worker process of " + model).isNotNull();
        return ProcessHandle.of(process.get("pid").asLong()).orElseThrow();
    }

    static void signal(ProcessHandle p, String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /**
     * One slot, two queue places, 8 requests at once: the worker is frozen with SIGSTOP (thawed with SIGCONT) so the
     * first holds the slot without timing games — 1 runs, 2 queue, 5 get 429 + Retry-After; then all 3 are served.
     * The watchdog never runs (fake clock, no ticks): this is admission only.
     */
    @Test
    void eightSimultaneousRequestsAgainstOneSlotAndTwoQueuePlacesServeThreeAndRefuseFive(@TempDir Path dir) throws Exception {
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        try (LocalServer held = LocalServer.builder(config(dir, HELD.formatted("2s"))).engines(workers(dir.resolve("logs")))
                .clock(clock).autoTick(false).start()) {
            assertThat(post(held, speech("held", "warm up")).statusCode()).isEqualTo(200);
            ProcessHandle worker = worker(held, "held");
            List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
            signal(worker, "STOP");
            try {
                for (int i = 0; i < 8; i++) {
                    calls.add(HTTP.sendAsync(request(held, speech("held", "request number " + i).put("response_format", "wav")),
                            HttpResponse.BodyHandlers.ofByteArray()));
                }
                await("five refusals", () -> calls.stream().filter(f -> f.isDone() && f.join().statusCode() == 429).count() == 5);
                JsonNode busy = model(held, "held");
                assertThat(busy.get("in_flight").asInt()).isEqualTo(1);
                assertThat(busy.get("queued").asInt()).isEqualTo(2);
            } finally {
                signal(worker, "CONT");
            }
            int served = 0, refused = 0;
            for (CompletableFuture<HttpResponse<byte[]>> f : calls) {
                HttpResponse<byte[]> r = f.get(120, TimeUnit.SECONDS);
                if (r.statusCode() == 429) {
                    refused++;
                    assertThat(error(r).get("code").asText()).isEqualTo("queue_full");
                    assertThat(Integer.parseInt(r.headers().firstValue("retry-after").orElseThrow())).isPositive();
                } else {
                    assertThat(r.statusCode()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
                    assertThat(AudioDecoder.decode(r.body(), 0).seconds()).isPositive();
                    served++;
                }
            }
            assertThat(served).isEqualTo(3);
            assertThat(refused).isEqualTo(5);
            assertThat(worker.isAlive()).as("the same worker served them").isTrue();
        }
    }

    /**
     * A speech job that never progresses (the test hook wedges espeak's thread) makes the model {@code stuck} once
     * {@code stuck_after} passes on the fake clock; its worker is killed, the request fails with 503 + Retry-After,
     * and the next request is served by a fresh worker.
     */
    @Test
    void aHungSpeechWorkerBecomesStuckIsKilledAndTheNextRequestSucceeds(@TempDir Path dir) throws Exception {
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        try (LocalServer held = LocalServer.builder(config(dir, HELD.formatted("2s"))).engines(workers(dir.resolve("logs")))
                .clock(clock).autoTick(false).start()) {
            CompletableFuture<HttpResponse<byte[]>> hung = HTTP.sendAsync(
                    request(held, speech("held", "please " + TestHooks.HANG_MARKER)), HttpResponse.BodyHandlers.ofByteArray());
            await("the wedged job holds the slot", () -> model(held, "held").get("in_flight").asInt() == 1);
            ProcessHandle wedged = worker(held, "held");

            clock.advance(Duration.ofSeconds(3));
            held.scheduler().tick();
            assertThat(model(held, "held").get("state").asText()).isEqualTo("stuck");
            HttpResponse<byte[]> stuck = hung.get(60, TimeUnit.SECONDS);
            assertThat(stuck.statusCode()).isEqualTo(503);
            assertThat(error(stuck).get("message").asText()).contains("stuck");
            assertThat(stuck.headers().firstValue("retry-after")).isPresent();
            await("the wedged worker killed", () -> !wedged.isAlive());

            HttpResponse<byte[]> next = post(held, speech("held", "and the next one"));
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(AudioDecoder.decode(next.body(), 0).seconds()).isPositive();
            assertThat(model(held, "held").get("state").asText()).isEqualTo("ready");
            assertThat(worker(held, "held").pid()).as("a fresh worker").isNotEqualTo(wedged.pid());
        }
    }

    /** /status names each model's worker process with its resident memory, weights and what it holds beyond them. */
    @Test
    void statusReportsTheWorkersResidentMemory() throws Exception {
        assertThat(post(server, speech("voice", "hello")).statusCode()).isEqualTo(200);
        JsonNode process = model(server, "voice").get("process");
        assertThat(process.get("pid").asLong()).isNotEqualTo(ProcessHandle.current().pid());
        long rss = process.get("rss_bytes").asLong();
        assertThat(rss).isGreaterThan(8L << 20);
        assertThat(process.get("weights_bytes").asLong()).as("espeak-ng has no weights file").isZero();
        assertThat(process.get("overhead_bytes").asLong()).isEqualTo(rss);
        assertThat(model(server, "voice").get("memory_bytes").asLong()).isPositive();
    }

    /**
     * espeak-ng's library missing needs the operator: the model is {@code unavailable} in /status with the install
     * command, and a request gets 503 {@code model_unavailable} without Retry-After and with {@code x-should-retry: false}.
     * (The production factories ask {@code EspeakNative.unavailableReason()}; this machine has espeak-ng, so the test
     * gives the worker factory a library name that does not exist.)
     */
    @Test
    void withoutEspeakNgTheSpeechModelIsUnavailableAndRequestsAreNotToBeRetried(@TempDir Path dir) throws Exception {
        String missing = EspeakTestAccess.missingReason("libtailgate-no-such-espeak.so.1");
        WorkerProcessFactory real = new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(dir.resolve("logs")));
        EngineFactory withoutEspeak = new EngineFactory() {
            @Override
            public LoadedModel load(ModelSpec spec) throws EngineException {
                return real.load(spec);
            }

            @Override
            public long estimateMemoryBytes(ModelSpec spec) {
                return real.estimateMemoryBytes(spec);
            }

            @Override
            public String unavailableReason(ModelSpec spec) {
                return missing;
            }
        };
        try (LocalServer s = LocalServer.builder(config(dir, """
                voice:
                  capability: speech
                  engine: espeak-ng
                """)).engines(new EngineRegistry().register("espeak-ng", withoutEspeak)).start()) {
            HttpResponse<byte[]> r = post(s, speech("voice", "hello"));
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(error(r).get("code").asText()).isEqualTo("model_unavailable");
            assertThat(error(r).get("message").asText()).contains("espeak-ng is not installed", "apt-get install espeak-ng");
            assertThat(r.headers().firstValue("retry-after")).isEmpty();
            assertThat(r.headers().firstValue("x-should-retry")).hasValue("false");
            JsonNode m = model(s, "voice");
            assertThat(m.get("state").asText()).isEqualTo("unavailable");
            assertThat(m.get("reason").asText()).contains("apt-get install espeak-ng");
        }
    }

    /** The official openai Node SDK (clients/audio.mjs): speech whole, streamed, as SSE, and its error for a bad voice. */
    @Test
    void theOfficialNodeSdkSpeaks() throws Exception {
        Path clients = NodeClients.requireOpenAiSdk();
        ProcessBuilder pb = new ProcessBuilder("node", "audio.mjs").directory(clients.toFile()).redirectErrorStream(true);
        pb.environment().put("BASE_URL", "http://127.0.0.1:" + server.port() + "/v1");
        pb.environment().put("SPEECH_MODEL", "voice");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "unreadable output: " + e;
            }
        });
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        String text = out.get(10, TimeUnit.SECONDS);
        assertThat(finished).as(text).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("audio: 4 passed, 0 failed");
    }
}
