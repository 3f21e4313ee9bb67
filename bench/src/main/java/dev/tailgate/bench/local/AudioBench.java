package dev.tailgate.bench.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.LocalServer;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.InProcessEngineFactory;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.Transcript;
import dev.tailgate.local.engine.audio.AudioDecoder;
import dev.tailgate.local.engine.audio.AudioFormat;
import dev.tailgate.local.engine.audio.SpeechEncoder;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.testing.kokoro.SyntheticKokoroModel;
import dev.tailgate.testing.whisper.SyntheticWhisperModel;
import dev.tailgate.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The audio engines' speed and the workers' memory, in one run:
 *
 * <ul>
 *   <li>real-time factor (seconds of compute per second of audio; below 1 is faster than real time) of espeak-ng and
 *       Kokoro speech and whisper.cpp transcription, each <b>in-process</b> (the engine called in this JVM) and
 *       <b>through HTTP</b> (a qwen-local started here: scheduler, worker process, encode/decode, the OpenAI wire), and
 *       the wrapper's share of the HTTP time;</li>
 *   <li>time to the first audio byte of a streamed speech response (and to the first transcript delta);</li>
 *   <li>each model's worker process as /status reports it: resident memory, weights, and what it holds beyond them —
 *       for the three audio engines plus an all-MiniLM embeddings worker and a llama.cpp chat worker.</li>
 * </ul>
 *
 * <p>Kokoro and Whisper run on the synthetic models the tests use (a tiny ONNX graph with Kokoro's interface, a
 * tiny-shaped random ggml Whisper): their RTFs measure the pipeline (phonemes, encoding, decoding, the worker, HTTP),
 * not the real models' compute.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.tailgate.bench.local.AudioBench [--runs 5] [--seconds 20]
 *      [--dir /tmp/tailgate-audio-bench]
 * </pre>
 */
public final class AudioBench {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static final String TEXT = "The quick brown fox jumps over the lazy dog. It was the best of times, it was the worst "
            + "of times. Seventy-six trombones led the big parade, with a hundred and ten cornets close at hand. ";

    record Result(double rtf, double firstByteMs) {}

    public static void main(String[] args) throws Exception {
        int runs = intArg(args, "--runs", 5);
        int seconds = intArg(args, "--seconds", 20);
        Path dir = Files.createDirectories(Path.of(strArg(args, "--dir", System.getProperty("java.io.tmpdir") + "/tailgate-audio-bench")));
        Path models = Files.createDirectories(dir.resolve("models"));
        SyntheticWhisperModel.tiny().seed(9).write(models.resolve("ggml-synthetic.bin"));
        SyntheticKokoroModel.write(models.resolve("kokoro"), "af_heart");
        SyntheticGguf.tiny().seed(5).write(models.resolve("tiny.gguf"));
        Path yaml = dir.resolve("local.yaml");
        Files.writeString(yaml, """
                listen: 127.0.0.1:0
                models_dir: %s
                memory_budget: 8GiB
                models:
                  espeak: {capability: speech, engine: espeak-ng}
                  kokoro: {capability: speech, engine: kokoro, file: kokoro/kokoro.onnx, threads: 2}
                  whisper: {capability: transcription, engine: whisper.cpp, file: ggml-synthetic.bin, threads: 2}
                  minilm: {capability: embeddings, engine: onnx, threads: 2}
                  chat: {capability: chat, engine: llama.cpp, file: tiny.gguf, context: 512, threads: 2}
                """.formatted(models));
        System.out.printf(Locale.ROOT, "cpus=%d runs=%d (median) text=%d chars transcription audio=%d s%n",
                Runtime.getRuntime().availableProcessors(), runs, TEXT.length() * 2, seconds);

        try (LocalServer server = LocalServer.start(yaml, null, null)) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            byte[] wav = speakHttp(base, "espeak", "alloy", TEXT.repeat(Math.clamp(seconds / 10, 1, 4096 / TEXT.length())), false).body;
            double audioSeconds = AudioDecoder.decode(wav, 0).seconds();
            System.out.printf(Locale.ROOT, "%n| engine | in-process RTF | HTTP RTF | wrapper share | first byte in-process | first byte HTTP |%n");
            System.out.println("|---|---|---|---|---|---|");
            for (String[] voice : List.of(new String[] {"espeak", "espeak-ng", "alloy"}, new String[] {"kokoro", "kokoro", "af_heart"})) {
                ModelSpec spec = new ModelSpec(voice[0], ModelSpec.Capability.SPEECH, voice[1],
                        voice[0].equals("kokoro") ? models.resolve("kokoro/kokoro.onnx") : null, 0, 2);
                Result local = median(runs, () -> speakInProcess(spec, voice[2]));
                Result http = median(runs, () -> {
                    long t0 = System.nanoTime();
                    Spoken s = speakHttp(base, voice[0], voice[2], TEXT + TEXT, true);
                    double audio = s.body.length / 2.0 / 24_000;
                    return new Result((System.nanoTime() - t0) / 1e9 / audio, s.firstByteMs);
                });
                row(voice[0] + " speech (pcm, streamed)", local, http);
            }
            ModelSpec whisper = new ModelSpec("whisper", ModelSpec.Capability.TRANSCRIPTION, "whisper.cpp",
                    models.resolve("ggml-synthetic.bin"), 0, 2);
            Result local = median(runs, () -> transcribeInProcess(whisper, wav, audioSeconds));
            Result http = median(runs, () -> transcribeHttp(base, wav, audioSeconds));
            row("whisper transcription (" + Math.round(audioSeconds) + " s wav, streamed)", local, http);

            embedAndChat(base);
            System.out.printf(Locale.ROOT, "%n| model | engine | worker RSS | weights | RSS beyond weights |%n|---|---|---|---|---|%n");
            JsonNode status = Json.parse(HTTP.send(HttpRequest.newBuilder(base.resolve("/status")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode m : status.get("models")) {
                JsonNode p = m.path("process");
                if (p.isMissingNode()) continue;
                System.out.printf(Locale.ROOT, "| %s | %s | %.1f MB | %.1f MB | %.1f MB |%n", m.get("id").asText(), m.get("engine").asText(),
                        p.get("rss_bytes").asLong() / 1048576.0, p.get("weights_bytes").asLong() / 1048576.0,
                        p.get("overhead_bytes").asLong() / 1048576.0);
            }
        }
    }

    static void row(String name, Result local, Result http) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.0f%% | %.0f ms | %.0f ms |%n", name, local.rtf, http.rtf,
                100 * (http.rtf - local.rtf) / http.rtf, local.firstByteMs, http.firstByteMs);
    }

    interface Run {
        Result once() throws Exception;
    }

    /** One warm-up, then the medians of {@code runs} runs (RTF and first byte each on their own). */
    static Result median(int runs, Run run) throws Exception {
        run.once();
        double[] rtf = new double[runs];
        double[] first = new double[runs];
        for (int i = 0; i < runs; i++) {
            Result r = run.once();
            rtf[i] = r.rtf;
            first[i] = r.firstByteMs;
        }
        Arrays.sort(rtf);
        Arrays.sort(first);
        return new Result(rtf[runs / 2], first[runs / 2]);
    }

    private static final java.util.Map<String, LoadedModel> IN_PROCESS = new java.util.HashMap<>();

    static LoadedModel inProcess(ModelSpec spec) throws Exception {
        LoadedModel m = IN_PROCESS.get(spec.id());
        if (m == null) IN_PROCESS.put(spec.id(), m = new InProcessEngineFactory().load(spec));
        return m;
    }

    /**
     * Streamed pcm, in this JVM (the engine and {@code SpeechEncoder}, as qwen-local composes them): the first chunk's
     * time and the audio's length from the bytes received.
     */
    static Result speakInProcess(ModelSpec spec, String voice) throws Exception {
        Listener l = new Listener();
        long t0 = System.nanoTime();
        inProcess(spec).submit(new EngineRequest.Speech(TEXT + TEXT, voice, 1.0), new SpeechEncoder(AudioFormat.PCM, true, l));
        l.done.get(10, TimeUnit.MINUTES);
        double audio = l.audio.size() / 2.0 / 24_000;
        return new Result((System.nanoTime() - t0) / 1e9 / audio, (l.firstAt - t0) / 1e6);
    }

    static Result transcribeInProcess(ModelSpec spec, byte[] wav, double audioSeconds) throws Exception {
        Listener l = new Listener();
        long t0 = System.nanoTime();
        inProcess(spec).submit(new EngineRequest.Transcribe(wav, "en", null, 0, false, false), l);
        l.done.get(10, TimeUnit.MINUTES);
        return new Result((System.nanoTime() - t0) / 1e9 / audioSeconds, (l.firstAt - t0) / 1e6);
    }

    /** Collects a job's output; {@code firstAt} is when its first audio chunk or text delta arrived. */
    static final class Listener implements JobListener {
        final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile long firstAt;

        private void first() {
            if (firstAt == 0) firstAt = System.nanoTime();
        }

        @Override
        public synchronized void onAudio(byte[] chunk) {
            first();
            audio.writeBytes(chunk);
        }

        @Override
        public void onDelta(String text) {
            first();
        }

        @Override
        public void onTranscript(Transcript t) {
            first();
        }

        @Override
        public void onComplete(Usage usage, String finishReason) {
            done.complete(null);
        }

        @Override
        public void onError(EngineFailure failure) {
            done.completeExceptionally(new IllegalStateException(failure.kind() + ": " + failure.message()));
        }
    }

    record Spoken(byte[] body, double firstByteMs) {}

    static Spoken speakHttp(URI base, String model, String voice, String text, boolean pcm) throws Exception {
        ObjectNode body = Json.object().put("model", model).put("voice", voice).put("input", text)
                .put("response_format", pcm ? "pcm" : "wav");
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/audio/speech"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.string(body))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int b = in.read();
            double first = (System.nanoTime() - t0) / 1e6;
            if (b < 0 || r.statusCode() != 200) throw new IllegalStateException(model + ": HTTP " + r.statusCode());
            out.write(b);
            in.transferTo(out);
            return new Spoken(out.toByteArray(), first);
        }
    }

    /** stream=true: the first byte is the first transcript.text.delta event. */
    static Result transcribeHttp(URI base, byte[] wav, double audioSeconds) throws Exception {
        String boundary = "----bench" + System.nanoTime();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String[] f : List.of(new String[] {"model", "whisper"}, new String[] {"language", "en"}, new String[] {"stream", "true"})) {
            b.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"\r\n\r\n" + f[1] + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        b.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        b.writeBytes(wav);
        b.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/audio/transcriptions"))
                .header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(b.toByteArray())).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            int first = in.read();
            double firstMs = (System.nanoTime() - t0) / 1e6;
            if (first < 0 || r.statusCode() != 200) throw new IllegalStateException("whisper: HTTP " + r.statusCode());
            String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!rest.contains("transcript.text.done")) throw new IllegalStateException("whisper: no done event: " + rest);
            return new Result((System.nanoTime() - t0) / 1e9 / audioSeconds, firstMs);
        }
    }

    /** One request each to the embeddings and chat models, so their workers run and /status measures them. */
    static void embedAndChat(URI base) throws Exception {
        List<HttpRequest> requests = new ArrayList<>();
        requests.add(HttpRequest.newBuilder(base.resolve("/v1/embeddings")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"minilm\",\"input\":[\"hello world\",\"memory\"]}")).build());
        requests.add(HttpRequest.newBuilder(base.resolve("/v1/chat/completions")).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"chat\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build());
        for (HttpRequest r : requests) {
            HttpResponse<String> resp = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) throw new IllegalStateException(r.uri() + ": HTTP " + resp.statusCode() + " " + resp.body());
        }
    }

    private static int intArg(String[] args, String name, int dflt) {
        String v = strArg(args, name, null);
        return v == null ? dflt : Integer.parseInt(v);
    }

    private static String strArg(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return args[i + 1];
        return dflt;
    }
}
