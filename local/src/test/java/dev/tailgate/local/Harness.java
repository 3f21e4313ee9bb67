package dev.tailgate.local;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A real qwen-local on 127.0.0.1 (random port) over the fake engine, plus a real HTTP client. */
final class Harness implements AutoCloseable {
    final FakeEngineFactory engines;
    final LocalServer server;
    final Path modelsDir;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Harness(FakeEngineFactory engines, LocalServer server, Path modelsDir) {
        this.engines = engines;
        this.server = server;
        this.modelsDir = modelsDir;
    }

    /** {@code yaml} gets {@code listen} and {@code models_dir} (a temp dir in which {@code files} exist) prepended. */
    static Harness start(Path tmp, String yaml, FakeEngineFactory engines, Clock clock, boolean autoTick, String... files)
            throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        for (String f : files) Files.writeString(models.resolve(f), "fake model bytes");
        String full = "listen: 127.0.0.1:0\nmodels_dir: " + models + "\nshutdown_grace: 2s\n" + yaml;
        LocalConfig config = new ConfigLoader(Set.of("llama.cpp", "onnx")).parse(full, tmp);
        LocalServer server = LocalServer.builder(config).engines(engines).clock(clock).autoTick(autoTick).start();
        return new Harness(engines, server, models);
    }

    /** Like {@link #start}, from the file {@code tmp/local.yaml}, which the server reloads on change. */
    static Harness startFromFile(Path tmp, String yaml, FakeEngineFactory engines, String... files) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        for (String f : files) Files.writeString(models.resolve(f), "fake model bytes");
        Path file = Files.writeString(tmp.resolve("local.yaml"), header(models) + yaml);
        LocalConfig config = new ConfigLoader(LocalServer.ENGINES).load(file);
        LocalServer server = LocalServer.builder(config).engines(engines).watch(file, config).start();
        return new Harness(engines, server, models);
    }

    /** What {@link #startFromFile} puts before the test's YAML. */
    static String header(Path models) {
        return "listen: 127.0.0.1:0\nmodels_dir: " + models + "\nshutdown_grace: 2s\n";
    }

    static Harness start(Path tmp, String yaml, FakeEngineFactory engines, String... files) throws Exception {
        return start(tmp, yaml, engines, Clock.systemUTC(), true, files);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return postAsync(path, body).get();
    }

    CompletableFuture<HttpResponse<String>> postAsync(String path, String body) {
        HttpRequest req = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    static String chat(String model, String content, boolean stream) {
        ObjectNode root = Json.object();
        root.put("model", model);
        root.putArray("messages").addObject().put("role", "user").put("content", content);
        if (stream) root.put("stream", true);
        return Json.string(root);
    }

    JsonNode status() throws IOException, InterruptedException {
        return Json.parse(get("/status").body());
    }

    JsonNode model(String id) throws IOException, InterruptedException {
        for (JsonNode m : status().get("models")) if (m.get("id").asText().equals(id)) return m;
        throw new AssertionError("model " + id + " not in /status");
    }

    String state(String id) throws IOException, InterruptedException {
        return model(id).get("state").asText();
    }

    /** Polls (bounded) until the condition holds; fails naming what it waited for. */
    static void await(String what, CheckedCondition condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) return;
            Thread.sleep(10);
        }
        fail("timed out waiting for: " + what);
    }

    interface CheckedCondition {
        boolean holds() throws Exception;
    }

    /** Opens a raw connection, sends a POST and keeps the socket open until the caller closes it (a client that leaves). */
    Socket rawPost(String path, String body) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return s;
    }

    @Override
    public void close() {
        engines.release();
        engines.openLoads();
        server.close();
        http.close();
    }
}
