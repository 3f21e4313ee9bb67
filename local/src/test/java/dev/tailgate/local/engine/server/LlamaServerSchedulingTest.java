package dev.tailgate.local.engine.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.LocalServer;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.config.LocalConfig;
import dev.tailgate.testing.MutableClock;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The llama-server engine under qwen-local's scheduler, with a real llama-server process: the same admission,
 * stuck-watchdog and unload acceptance as the embedded engine. The server is frozen with SIGSTOP (and thawed with
 * SIGCONT) to hold a job without timing games.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LlamaServerSchedulingTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    String yaml(String modelKeys) throws Exception {
        SyntheticGguf.tiny().type(GgmlType.F16).seed(5).write(dir.resolve("tiny.gguf"));
        return """
                listen: 127.0.0.1:0
                models_dir: %s
                memory_budget: 4GiB
                shutdown_grace: 2s
                models:
                  tiny:
                    capability: chat
                    engine: llama-server
                    file: tiny.gguf
                    context: 1024
                    threads: 1
                %s""".formatted(dir, modelKeys.indent(4));
    }

    LocalConfig config(String modelKeys) throws Exception {
        return new ConfigLoader(LocalServer.ENGINES).parse(yaml(modelKeys), dir);
    }

    /** Started as {@code ./tailgate local} starts it: from a file, with the production engines (binary found as qwen-local finds it). */
    LocalServer startFromFile(String modelKeys) throws Exception {
        Path file = dir.resolve("local.yaml");
        Files.writeString(file, yaml(modelKeys));
        return LocalServer.start(file, null, null);
    }

    static ObjectNode chat(String text, int maxTokens, boolean stream) {
        ObjectNode body = Json.object();
        body.put("model", "tiny").put("max_tokens", maxTokens).put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    static CompletableFuture<HttpResponse<String>> send(LocalServer s, ObjectNode body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.string(body))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode model(LocalServer s) throws Exception {
        JsonNode status = Json.parse(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/status"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode m : status.get("models")) if (m.get("id").asText().equals("tiny")) return m;
        throw new AssertionError("tiny not in /status: " + status);
    }

    /** The llama-server process serving {@code gguf}: a descendant of this JVM whose command line names the file. */
    static ProcessHandle serverOf(Path gguf) {
        Optional<ProcessHandle> p = ProcessHandle.current().descendants()
                .filter(h -> h.info().commandLine().map(c -> c.contains(gguf.toString())).orElse(false)).findFirst();
        assertThat(p).as("a llama-server process for " + gguf).isPresent();
        return p.get();
    }

    static void signal(ProcessHandle p, String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(String what, Condition c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!c.holds()) {
            assertThat(System.nanoTime()).as(what + " within 90s").isLessThan(deadline);
            Thread.sleep(20); // polling /status, bounded by the deadline
        }
    }

    @Test
    void eightStreamsAgainstOneSlotAndTwoQueuePlacesServeThreeAndRefuseFiveWithRetryAfter() throws Exception {
        LlamaServers.require();
        try (LocalServer s = startFromFile("max_concurrency: 1\nmax_queue: 2\nstuck_after: 120s")) {
            assertThat(send(s, chat("warm up", 2, false)).get(120, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            ProcessHandle server = serverOf(dir.resolve("tiny.gguf"));
            signal(server, "STOP"); // the first stream now holds the only slot until SIGCONT
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            try {
                calls.add(send(s, chat("one", 16, true)));
                await("the first stream running", () -> model(s).get("in_flight").asInt() == 1);
                for (int i = 0; i < 7; i++) calls.add(send(s, chat("more " + i, 16, true)));
                await("five refusals", () -> calls.stream().filter(f -> f.isDone() && f.join().statusCode() == 429).count() == 5);
            } finally {
                signal(server, "CONT");
            }
            int ok = 0, refused = 0;
            for (CompletableFuture<HttpResponse<String>> f : calls) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    ok++;
                    assertThat(r.body()).contains("data: [DONE]");
                } else {
                    refused++;
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
                    assertThat(Json.parse(r.body()).get("error").get("code").asText()).isEqualTo("queue_full");
                    assertThat(Integer.parseInt(r.headers().firstValue("retry-after").orElseThrow())).isPositive();
                }
            }
            assertThat(ok).isEqualTo(3);
            assertThat(refused).isEqualTo(5);
        }
    }

    @Test
    void aStoppedServerBecomesStuckIsKilledTheRequestFailsCleanlyAndTheNextOneSucceeds() throws Exception {
        LlamaServers.require();
        try (LocalServer s = startFromFile("max_concurrency: 1\nstuck_after: 2s")) {
            assertThat(send(s, chat("warm up", 2, false)).get(120, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            ProcessHandle server = serverOf(dir.resolve("tiny.gguf"));
            signal(server, "STOP");
            HttpResponse<String> stuck = send(s, chat("hello", 16, false)).get(120, TimeUnit.SECONDS);
            assertThat(stuck.statusCode()).as(stuck.body()).isEqualTo(503);
            JsonNode err = Json.parse(stuck.body()).get("error");
            assertThat(err.get("code").asText()).isEqualTo("unavailable");
            assertThat(err.get("message").asText()).contains("stuck");
            assertThat(stuck.headers().firstValue("retry-after")).isPresent();
            assertThat(model(s).get("state").asText()).isEqualTo("stuck");
            await("the stopped llama-server killed", () -> !server.isAlive());

            HttpResponse<String> next = send(s, chat("again", 4, false)).get(120, TimeUnit.SECONDS);
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(serverOf(dir.resolve("tiny.gguf")).pid()).as("a fresh process").isNotEqualTo(server.pid());
        }
    }

    /**
     * The health probe, not the watchdog (stuck_after is far away): a frozen server misses 3 probes of /health in a row,
     * is declared dead and killed; the request it held fails cleanly and the next one starts a fresh process.
     */
    @Test
    void aServerThatStopsAnsweringHealthIsDeclaredDeadByTheProbeAndReplaced() throws Exception {
        LlamaServers.require();
        try (LocalServer s = startFromFile("max_concurrency: 1\nstuck_after: 600s")) {
            assertThat(send(s, chat("warm up", 2, false)).get(120, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            ProcessHandle server = serverOf(dir.resolve("tiny.gguf"));
            signal(server, "STOP");
            HttpResponse<String> held = send(s, chat("hello", 16, false)).get(120, TimeUnit.SECONDS);
            assertThat(held.statusCode()).as(held.body()).isEqualTo(503);
            assertThat(Json.parse(held.body()).get("error").get("message").asText())
                    .contains("stopped answering /health (" + LlamaServerModel.PROBE_MISSES + " probes");
            await("the stopped llama-server killed", () -> !server.isAlive());

            HttpResponse<String> next = send(s, chat("again", 4, false)).get(120, TimeUnit.SECONDS);
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(serverOf(dir.resolve("tiny.gguf")).pid()).as("a fresh process").isNotEqualTo(server.pid());
        }
    }

    @Test
    void unloadingAfterKeepAliveEndsTheProcessAndFreesItsMemory() throws Exception {
        LlamaServers.require();
        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        try (LocalServer s = LocalServer.builder(config("keep_alive: 1m")).clock(clock).autoTick(false).start()) {
            assertThat(send(s, chat("hello", 4, false)).get(120, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            ProcessHandle server = serverOf(dir.resolve("tiny.gguf"));
            long rss = dev.tailgate.local.engine.ProcessMemory.residentBytes(server.pid()).orElse(0);
            assertThat(rss).isPositive();
            assertThat(model(s).get("memory_bytes").asLong()).isPositive();
            assertThat(model(s).get("state").asText()).isEqualTo("ready");

            clock.advance(Duration.ofMinutes(2));
            s.scheduler().tick();
            await("the llama-server process gone", () -> !server.isAlive());
            assertThat(model(s).get("state").asText()).isEqualTo("unloaded");
            assertThat(model(s).get("memory_bytes").asLong()).isZero();
            assertThat(dev.tailgate.local.engine.ProcessMemory.residentBytes(server.pid())).isEmpty();
        }
    }

    /** A missing binary needs the operator: the model is unavailable with the install command; requests get 503 without Retry-After. */
    @Test
    void withoutTheBinaryTheModelIsUnavailableWithTheInstallCommand() throws Exception {
        LlamaServerFactory none = new LlamaServerFactory(Optional::empty, dir.resolve("logs"), Duration.ofSeconds(10));
        try (LocalServer s = LocalServer.builder(config("")).engines(new dev.tailgate.local.EngineRegistry()
                .register(LocalServer.LLAMA_SERVER, none)).start()) {
            JsonNode m = model(s);
            assertThat(m.get("state").asText()).isEqualTo("unavailable");
            assertThat(m.get("reason").asText()).contains("llama-server", "install");
            HttpResponse<String> r = send(s, chat("hello", 4, false)).get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(Json.parse(r.body()).get("error").get("message").asText()).contains(LlamaServerBinary.installHint());
            assertThat(r.headers().firstValue("retry-after")).isEmpty();
            assertThat(r.headers().firstValue("x-should-retry")).contains("false");
        }
    }
}
