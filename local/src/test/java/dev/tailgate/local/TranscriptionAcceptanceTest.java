package dev.tailgate.local;

import static dev.tailgate.local.LocalAcceptanceTest.config;
import static dev.tailgate.local.LocalAcceptanceTest.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.audio.AudioDecoder;
import dev.tailgate.local.engine.llama.TestHooks;
import dev.tailgate.testing.NodeClients;
import dev.tailgate.testing.kokoro.SyntheticKokoroModel;
import dev.tailgate.testing.whisper.SyntheticWhisperModel;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Speech → transcription end to end through HTTP: espeak-ng speaks, whisper.cpp (on a synthetic ggml Whisper model the
 * test writes) transcribes, each in its own worker process behind {@link LocalServer}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TranscriptionAcceptanceTest {
    @TempDir
    static Path tmp;
    static LocalServer server;
    static byte[] wav;
    static double wavSeconds;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static final Pattern CUE = Pattern.compile("(\\d{2}):(\\d{2}):(\\d{2})[,.](\\d{3}) --> (\\d{2}):(\\d{2}):(\\d{2})[,.](\\d{3})");

    @BeforeAll
    static void start() throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        SyntheticWhisperModel.tiny().seed(9).write(models.resolve("ggml-synthetic.bin"));
        SyntheticKokoroModel.write(models.resolve("kokoro"), "af_heart", "bf_emma");
        server = LocalServer.builder(config(models, """
                whisper:
                  capability: transcription
                  engine: whisper.cpp
                  file: ggml-synthetic.bin
                  threads: 1
                voice:
                  capability: speech
                  engine: espeak-ng
                kokoro:
                  capability: speech
                  engine: kokoro
                  file: kokoro/kokoro.onnx
                  threads: 1
                """)).engines(SpeechAcceptanceTest.workers(tmp.resolve("logs"))).start();
        ObjectNode speech = Json.object().put("model", "voice").put("voice", "alloy").put("response_format", "wav")
                .put("input", "Hello world. This is a test of the transcription endpoint, spoken by espeak.");
        wav = HTTP.send(HttpRequest.newBuilder(uri(server, "/v1/audio/speech")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.string(speech))).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        wavSeconds = AudioDecoder.decode(wav, 0).seconds();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** A multipart/form-data body: text fields, then the file (when not null). */
    static HttpRequest upload(String path, Map<String, String> fields, byte[] file, String filename) {
        return upload(path, fields, List.of(), file, filename);
    }

    /** The same, with a {@code timestamp_granularities[]} field per granularity (a repeated field, as the SDKs send it). */
    static HttpRequest upload(String path, Map<String, String> fields, List<String> granularities, byte[] file, String filename) {
        String boundary = "----tailgate" + System.nanoTime();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        List<Map.Entry<String, String>> parts = new ArrayList<>(fields.entrySet());
        granularities.forEach(g -> parts.add(Map.entry("timestamp_granularities[]", g)));
        parts.forEach(p -> b.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.getKey() + "\"\r\n\r\n"
                + p.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8)));
        if (file != null) {
            b.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            b.writeBytes(file);
            b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        b.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(120))
                .header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(b.toByteArray())).build();
    }

    static HttpResponse<String> transcribe(Map<String, String> fields, byte[] file) throws Exception {
        return HTTP.send(upload("/v1/audio/transcriptions", fields, file, "speech.wav"), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> fields(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", "whisper");
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static double seconds(Matcher m, int group) {
        return Integer.parseInt(m.group(group)) * 3600 + Integer.parseInt(m.group(group + 1)) * 60
                + Integer.parseInt(m.group(group + 2)) + Integer.parseInt(m.group(group + 3)) / 1000.0;
    }

    @Test
    void speechComesBackAsATranscriptInEveryResponseFormat() throws Exception {
        HttpResponse<String> json = transcribe(fields(), wav);
        assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
        assertThat(json.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode j = Json.parse(json.body());
        assertThat(j.get("text").asText()).isNotBlank();
        assertThat(j.get("usage").get("type").asText()).isEqualTo("duration");
        assertThat(j.get("usage").get("seconds").asLong()).isEqualTo((long) Math.ceil(wavSeconds));

        HttpResponse<String> text = transcribe(fields("response_format", "text"), wav);
        assertThat(text.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(text.body().strip()).isEqualTo(j.get("text").asText());

        HttpResponse<String> verbose = transcribe(fields("response_format", "verbose_json", "language", "en",
                "prompt", "A test.", "temperature", "0", "timestamp_granularities[]", "segment"), wav);
        JsonNode v = Json.parse(verbose.body());
        assertThat(v.get("task").asText()).isEqualTo("transcribe");
        assertThat(v.get("language").asText()).isEqualTo("en");
        assertThat(v.get("duration").asDouble()).isCloseTo(wavSeconds, within(0.05));
        List<double[]> segments = new ArrayList<>();
        v.get("segments").forEach(s -> segments.add(new double[] {s.get("start").asDouble(), s.get("end").asDouble()}));
        assertThat(segments).isNotEmpty();
        for (int i = 0; i < segments.size(); i++) {
            assertThat(segments.get(i)[1]).isGreaterThanOrEqualTo(segments.get(i)[0]);
            if (i > 0) assertThat(segments.get(i)[0]).as("ordered").isGreaterThanOrEqualTo(segments.get(i - 1)[0]);
            assertThat(v.get("segments").get(i).get("id").asInt()).isEqualTo(i);
        }

        String srt = transcribe(fields("response_format", "srt"), wav).body();
        assertThat(srt).startsWith("1\n");
        Matcher m = CUE.matcher(srt);
        int cues = 0;
        while (m.find()) {
            assertThat(m.group()).contains(",");
            assertThat(seconds(m, 5)).isGreaterThanOrEqualTo(seconds(m, 1));
            cues++;
        }
        assertThat(cues).isEqualTo(segments.size());

        String vtt = transcribe(fields("response_format", "vtt"), wav).body();
        assertThat(vtt).startsWith("WEBVTT\n\n");
        Matcher mv = CUE.matcher(vtt);
        int vcues = 0;
        while (mv.find()) {
            assertThat(mv.group()).doesNotContain(",");
            vcues++;
        }
        assertThat(vcues).isEqualTo(segments.size());
    }

    /** timestamp_granularities[]=word: words timed from whisper's token timestamps; with segment too, both. */
    @Test
    void wordTimestampsComeInVerboseJson() throws Exception {
        HttpResponse<String> words = HTTP.send(upload("/v1/audio/transcriptions", fields("response_format", "verbose_json"),
                List.of("word"), wav, "speech.wav"), HttpResponse.BodyHandlers.ofString());
        assertThat(words.statusCode()).as(words.body()).isEqualTo(200);
        JsonNode w = Json.parse(words.body());
        assertThat(w.has("segments")).as("word only: no segments, as the OpenAI API").isFalse();
        assertThat(w.get("words")).isNotEmpty();
        List<String> spoken = new ArrayList<>();
        double previousEnd = 0;
        for (JsonNode word : w.get("words")) {
            assertThat(word.fieldNames()).toIterable().containsExactly("word", "start", "end");
            double start = word.get("start").asDouble();
            double end = word.get("end").asDouble();
            assertThat(start).as(word.toString()).isGreaterThanOrEqualTo(previousEnd);
            assertThat(end).as(word.toString()).isGreaterThanOrEqualTo(start).isLessThanOrEqualTo(w.get("duration").asDouble());
            previousEnd = end;
            spoken.add(word.get("word").asText());
        }
        assertThat(String.join(" ", spoken)).isEqualTo(w.get("text").asText().strip().replaceAll("\\s+", " "));

        HttpResponse<String> both = HTTP.send(upload("/v1/audio/transcriptions", fields("response_format", "verbose_json"),
                List.of("word", "segment"), wav, "speech.wav"), HttpResponse.BodyHandlers.ofString());
        assertThat(both.statusCode()).as(both.body()).isEqualTo(200);
        JsonNode b = Json.parse(both.body());
        assertThat(b.get("segments")).isNotEmpty();
        assertThat(b.get("words")).isEqualTo(w.get("words"));
        assertThat(b.get("text")).isEqualTo(w.get("text"));

        HttpResponse<String> segmentsOnly = transcribe(fields("response_format", "verbose_json"), wav);
        assertThat(Json.parse(segmentsOnly.body()).has("words")).as("words only when asked").isFalse();
    }

    @Test
    void otherContainersStreamingAndTranslation() throws Exception {
        ObjectNode speech = Json.object().put("model", "voice").put("voice", "onyx").put("response_format", "opus")
                .put("input", "Testing one two three.");
        byte[] ogg = HTTP.send(HttpRequest.newBuilder(uri(server, "/v1/audio/speech")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.string(speech))).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        HttpResponse<String> fromOgg = transcribe(fields("response_format", "verbose_json"), ogg);
        assertThat(fromOgg.statusCode()).as(fromOgg.body()).isEqualTo(200);
        assertThat(Json.parse(fromOgg.body()).get("duration").asDouble()).isCloseTo(AudioDecoder.decode(ogg, 0).seconds(), within(0.1));

        HttpResponse<String> sse = transcribe(fields("stream", "true"), wav);
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        StringBuilder deltas = new StringBuilder();
        JsonNode done = null;
        for (String event : ChatApiTest.events(sse.body())) {
            JsonNode e = Json.parse(event.substring("data: ".length()));
            assertThat(done).as("nothing after done").isNull();
            if (e.get("type").asText().equals("transcript.text.delta")) deltas.append(e.get("delta").asText());
            else if (e.get("type").asText().equals("transcript.text.done")) done = e;
        }
        assertThat(done).isNotNull();
        assertThat(done.get("text").asText()).isEqualTo(deltas.toString().strip());
        assertThat(done.get("usage").get("seconds").asLong()).isPositive();

        HttpResponse<String> translated = HTTP.send(upload("/v1/audio/translations", fields("response_format", "verbose_json"), wav,
                "speech.wav"), HttpResponse.BodyHandlers.ofString());
        assertThat(translated.statusCode()).as(translated.body()).isEqualTo(200);
        assertThat(Json.parse(translated.body()).get("task").asText()).isEqualTo("translate");
    }

    /**
     * stream=true on 65 s of audio (three 30 s windows): the worker holds before decoding the last window until the
     * test opens a gate file, and the test opens it only when a transcript.text.delta has reached it — so the stream
     * can only finish if deltas leave as windows are decoded (a buffered stream would time the gate out: an error).
     */
    @Test
    void aStreamedTranscriptSendsDeltasBeforeTheLastWindowIsDecoded(@TempDir Path dir) throws Exception {
        float[] tone = new float[65 * 16_000];
        for (int i = 0; i < tone.length; i++) tone[i] = (float) (0.4 * Math.sin(2 * Math.PI * (300 + 200 * Math.sin(i / 2000.0)) * i / 16_000));
        byte[] flac = dev.tailgate.local.engine.audio.AudioEncoder.encode(dev.tailgate.local.engine.audio.AudioFormat.FLAC, 16_000, tone);
        Path gate = dir.resolve("last-window-gate");
        HttpResponse<java.io.InputStream> r = HTTP.send(upload("/v1/audio/transcriptions", fields("stream", "true",
                "prompt", TestHooks.GATE_MARKER + gate), flac, "long.flac"), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> types = new ArrayList<>();
        StringBuilder deltas = new StringBuilder();
        JsonNode done = null;
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("event: error")) throw new AssertionError("stream failed: " + lines.readLine());
                if (!line.startsWith("data: ")) continue;
                JsonNode e = Json.parse(line.substring("data: ".length()));
                types.add(e.get("type").asText());
                if (e.get("type").asText().equals("transcript.text.delta")) {
                    deltas.append(e.get("delta").asText());
                    if (!Files.exists(gate)) Files.createFile(gate); // the last window may be decoded now
                } else {
                    done = e;
                }
            }
        }
        assertThat(types.getFirst()).as("a delta came first, while the last window was held").isEqualTo("transcript.text.delta");
        assertThat(Files.exists(gate)).isTrue();
        assertThat(types.getLast()).isEqualTo("transcript.text.done");
        assertThat(types.stream().filter(t -> t.equals("transcript.text.delta")).count()).as("one per segment, windows apart")
                .isGreaterThanOrEqualTo(2);
        assertThat(done.get("text").asText()).isEqualTo(deltas.toString().strip());
        assertThat(done.get("usage").get("seconds").asLong()).isEqualTo(65);
    }

    /** Kokoro (synthetic ONNX graph with its interface) in its worker: every format, then back through whisper.cpp. */
    @Test
    void kokoroSpeaksEveryFormatAndItsSpeechIsTranscribed() throws Exception {
        assertThat(Json.parse(LocalAcceptanceTest.get(server, "/v1/audio/voices?model=kokoro").body()).get("data"))
                .extracting(v -> v.get("id").asText()).containsExactly("af_heart", "bf_emma");
        String text = "Hello world. Kokoro speaks, and whisper listens.";
        byte[] kwav = SpeechAcceptanceTest.post(server, SpeechAcceptanceTest.speech("kokoro", text).put("voice", "bf_emma")
                .put("response_format", "wav")).body();
        double expected = AudioDecoder.decode(kwav, 0).seconds();
        assertThat(expected).isGreaterThan(0.5);
        for (String format : List.of("mp3", "opus", "aac", "flac", "pcm")) {
            HttpResponse<byte[]> r = SpeechAcceptanceTest.post(server, SpeechAcceptanceTest.speech("kokoro", text)
                    .put("voice", "bf_emma").put("response_format", format));
            assertThat(r.statusCode()).as(format).isEqualTo(200);
            AudioDecoder.Decoded d = format.equals("pcm") ? AudioDecoder.decode(r.body(), "s16le", 24_000, 0) : AudioDecoder.decode(r.body(), 0);
            assertThat(d.sourceSampleRate()).as(format).isEqualTo(format.equals("opus") ? 48_000 : 24_000);
            assertThat(d.seconds()).as(format).isCloseTo(expected, within(expected * 0.10));
        }
        HttpResponse<byte[]> alloy = SpeechAcceptanceTest.post(server, SpeechAcceptanceTest.speech("kokoro", text));
        assertThat(alloy.statusCode()).as("alloy is not a Kokoro voice here").isEqualTo(400);
        assertThat(SpeechAcceptanceTest.error(alloy).get("message").asText()).contains("af_heart, bf_emma");

        HttpResponse<String> t = transcribe(fields("response_format", "verbose_json"), kwav);
        assertThat(t.statusCode()).as(t.body()).isEqualTo(200);
        assertThat(Json.parse(t.body()).get("duration").asDouble()).isCloseTo(expected, within(0.05));
    }

    @Test
    void refusalsSayWhatIsWrong() throws Exception {
        HttpResponse<String> garbage = transcribe(fields(), "this is not audio, only words".repeat(50).getBytes());
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(Json.parse(garbage.body()).get("error").get("message").asText()).contains("could not be decoded", "not audio");

        HttpResponse<String> tooBig = transcribe(fields(), new byte[(25 << 20) + 1]);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(Json.parse(tooBig.body()).get("error").get("message").asText()).contains("26214400");

        HttpResponse<String> speechModel = transcribe(fields("model", "voice"), wav);
        assertThat(speechModel.statusCode()).isEqualTo(400);
        assertThat(Json.parse(speechModel.body()).get("error").get("message").asText()).contains("wrong capability");
        HttpResponse<byte[]> speakWithWhisper = SpeechAcceptanceTest.post(server, SpeechAcceptanceTest.speech("whisper", "hi"));
        assertThat(speakWithWhisper.statusCode()).isEqualTo(400);
        assertThat(SpeechAcceptanceTest.error(speakWithWhisper).get("message").asText()).contains("wrong capability");

        record Case(Map<String, String> fields, byte[] file, String param) {}
        for (Case c : List.of(
                new Case(fields(), null, "file"),
                new Case(fields("response_format", "docx"), wav, "response_format"),
                new Case(fields("language", "English!"), wav, "language"),
                new Case(fields("temperature", "3"), wav, "temperature"),
                new Case(fields("stream", "true", "response_format", "srt"), wav, "stream"),
                new Case(fields("timestamp_granularities[]", "word"), wav, "timestamp_granularities"), // words need verbose_json
                new Case(fields("response_format", "verbose_json", "timestamp_granularities[]", "sentence"), wav,
                        "timestamp_granularities"))) {
            HttpResponse<String> r = transcribe(c.fields(), c.file());
            assertThat(r.statusCode()).as(c.param() + ": " + r.body()).isEqualTo(400);
            assertThat(Json.parse(r.body()).get("error").get("param").asText()).isEqualTo(c.param());
        }
        HttpResponse<String> ghost = transcribe(fields("model", "ghost"), wav);
        assertThat(ghost.statusCode()).isEqualTo(404);
    }

    /** clients/audio.mjs with the official openai Node SDK: speech, then every transcription response_format. */
    @Test
    void theOfficialNodeSdkTranscribes() throws Exception {
        Path clients = NodeClients.requireOpenAiSdk();
        ProcessBuilder pb = new ProcessBuilder("node", "audio.mjs").directory(clients.toFile()).redirectErrorStream(true);
        pb.environment().put("BASE_URL", "http://127.0.0.1:" + server.port() + "/v1");
        pb.environment().put("SPEECH_MODEL", "voice");
        pb.environment().put("TRANSCRIBE_MODEL", "whisper");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return "unreadable output: " + e;
            }
        });
        boolean finished = p.waitFor(180, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        String text = out.get(10, TimeUnit.SECONDS);
        assertThat(finished).as(text).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("audio: 13 passed, 0 failed");
    }
}
