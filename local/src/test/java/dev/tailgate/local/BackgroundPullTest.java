package dev.tailgate.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.local.store.BackgroundPull;
import dev.tailgate.local.store.HfSource;
import dev.tailgate.local.store.HubAccess;
import dev.tailgate.local.store.ModelStore;
import dev.tailgate.local.store.PullOptions;
import dev.tailgate.local.store.PullProgress;
import dev.tailgate.testing.hub.FakeHub;
import dev.tailgate.testing.hub.HubFile;
import dev.tailgate.wire.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * First run: qwen-local serves while its missing chat model downloads in the background; /status shows the model as
 * {@code downloading} with percent, rate and ETA, then as loadable once the file is complete — no restart. The hub is
 * the fake one the model store tests use; an unreachable hub is said once.
 */
@Timeout(60)
class BackgroundPullTest {
    static final String REPO = "Example/Tiny-GGUF";
    static final String FILE = "tiny.gguf";

    @TempDir
    Path tmp;

    private static final String YAML = """
            models:
              tiny:
                capability: chat
                engine: llama.cpp
                file: tiny.gguf
                source: hf://Example/Tiny-GGUF/tiny.gguf
            """;

    @Test
    void aMissingModelDownloadsInTheBackgroundWithProgressInStatusThenServes() throws Exception {
        try (FakeHub hub = FakeHub.start(); Harness h = Harness.start(tmp, YAML, new FakeEngineFactory())) {
            // slow but alive: ~64 pieces with a pause between them, so the download is seen in progress
            HubFile f = hub.putGenerated(REPO, FILE, 1 << 20, 7).throttle(16 * 1024, Duration.ofMillis(25));
            assertThat(h.state("tiny")).isEqualTo("unavailable");
            StringWriter log = new StringWriter();
            BackgroundPull pull = new BackgroundPull(new HubAccess(hub.endpoint(), null), PullOptions.defaults(),
                    h.server.downloads(), new PrintWriter(log, true), " --home /h");
            Thread t = pull.start("tiny", List.of(new ModelStore.Planned(HfSource.parse("hf://" + REPO + "/" + FILE),
                    h.modelsDir.resolve(FILE))));

            JsonNode[] seen = new JsonNode[1];
            Harness.await("/status shows the download with progress", () -> {
                JsonNode m = h.model("tiny");
                if (m.path("state").asText().equals("downloading") && m.path("download").path("percent").asInt() > 0) seen[0] = m;
                return seen[0] != null;
            });
            JsonNode d = seen[0].get("download");
            assertThat(d.get("total_bytes").asLong()).isEqualTo(1 << 20);
            assertThat(d.get("bytes").asLong()).isPositive().isLessThan(1 << 20);
            assertThat(d.get("file").asText()).isEqualTo(FILE);
            assertThat(d.has("bytes_per_second")).isTrue();
            assertThat(d.has("eta_seconds")).isTrue();
            assertThat(seen[0].get("reason").asText()).contains("downloading");
            // the service answers meanwhile
            assertThat(h.get("/v1/models").statusCode()).isEqualTo(200);

            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).isFalse();
            assertThat(Files.readAllBytes(h.modelsDir.resolve(FILE))).isEqualTo(hub.bytesOf(f));
            JsonNode after = h.model("tiny");
            assertThat(after.get("state").asText()).isEqualTo("unloaded"); // loadable now, without a restart
            assertThat(after.has("download")).isFalse();
            assertThat(log.toString()).containsOnlyOnce("downloading model 'tiny' in the background")
                    .contains("Progress: tailgate ps --home /h")
                    .contains("model 'tiny' downloaded");
            assertThat(h.post("/v1/chat/completions", Harness.chat("tiny", "tokens:2", false)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRequestWhileTheFileDownloadsIsRefusedWithRetryAfterTheEtaNotAsOperatorAction() throws Exception {
        try (Harness h = Harness.start(tmp, YAML, new FakeEngineFactory())) {
            AtomicLong nanos = new AtomicLong();
            PullProgress progress = h.server.downloads().track("tiny", nanos::get);
            progress.started(FILE, 100_000, 0);
            HttpResponse<String> unknownEta = h.post("/v1/chat/completions", Harness.chat("tiny", "hi", false));
            assertThat(unknownEta.statusCode()).isEqualTo(503);
            assertThat(unknownEta.headers().firstValue("retry-after")).hasValue("30"); // rate not known yet

            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            progress.advanced(25_000); // 25 kB/s, 75 kB left: 3 s
            HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("tiny", "hi", false));
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("retry-after")).hasValue("3");
            assertThat(r.headers().firstValue("x-should-retry")).isEmpty();
            JsonNode error = Json.parse(r.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("model_downloading");
            assertThat(error.get("type").asText()).isEqualTo("api_error");
            assertThat(error.get("message").asText()).contains("downloading " + FILE + " (25%, about 3 s left)");
            assertThat(h.state("tiny")).isEqualTo("downloading");
            assertThat(h.model("tiny").get("reason").asText()).startsWith("downloading " + FILE + " (25%");
            assertThat(h.get("/metrics").body()).contains("tailgate_local_model_state{model=\"tiny\",state=\"downloading\"} 1");

            nanos.addAndGet(TimeUnit.SECONDS.toNanos(99));
            progress.advanced(26_000); // 260 B/s over 100 s: 74 kB left is ~5 min, capped at a minute
            assertThat(h.post("/v1/chat/completions", Harness.chat("tiny", "hi", false)).headers().firstValue("retry-after"))
                    .hasValue("60");

            h.server.downloads().ended("tiny"); // failed: the file is still missing, only the operator can help now
            HttpResponse<String> after = h.post("/v1/chat/completions", Harness.chat("tiny", "hi", false));
            assertThat(Json.parse(after.body()).get("error").get("code").asText()).isEqualTo("model_unavailable");
            assertThat(after.headers().firstValue("retry-after")).isEmpty();
            assertThat(after.headers().firstValue("x-should-retry")).hasValue("false");
            assertThat(h.state("tiny")).isEqualTo("unavailable");
        }
    }

    @Test
    void anUnreachableHubIsSaidOnceWithThePullCommand() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (Harness h = Harness.start(tmp, YAML, new FakeEngineFactory())) {
            StringWriter log = new StringWriter();
            BackgroundPull pull = new BackgroundPull(new HubAccess(URI.create("http://127.0.0.1:" + closedPort), null),
                    PullOptions.defaults().withRetries(0, Duration.ZERO), h.server.downloads(), new PrintWriter(log, true), " --home /h");
            Thread t = pull.start("tiny", List.of(new ModelStore.Planned(HfSource.parse("hf://" + REPO + "/" + FILE),
                    h.modelsDir.resolve(FILE))));
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).isFalse();
            assertThat(log.toString()).containsOnlyOnce("is not reachable").contains("tailgate models pull tiny --home /h")
                    .doesNotContain("downloading model"); // nothing announced that did not happen
            assertThat(h.state("tiny")).isEqualTo("unavailable");
            assertThat(h.model("tiny").get("reason").asText()).endsWith("run: tailgate models pull tiny");
        }
    }
}
