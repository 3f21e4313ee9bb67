package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.testing.hub.FakeHub;
import dev.tailgate.testing.hub.HubFile;
import dev.tailgate.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * First run: {@code up} serves at once and downloads the missing default chat model in the background from the hub
 * (the fake one the model store tests use, through HF_ENDPOINT) with a progress line; {@code ps} shows it as
 * {@code downloading} with percent, rate and ETA, then as loadable. {@code --no-pull} asks the hub nothing.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FirstRunPullTest {
    static final String REPO = "Qwen/Qwen2.5-0.5B-Instruct-GGUF";
    static final String FILE = "qwen2.5-0.5b-instruct-q4_k_m.gguf";
    static final String MODEL = "qwen2.5-0.5b-instruct";

    @TempDir
    Path home;

    private void defaultsWithTheEmbeddedChatModel() throws Exception {
        Files.createDirectories(home.resolve("models"));
        Files.writeString(home.resolve("gateway.yaml"), DefaultConfigs.gatewayYaml(DefaultConfigs.ChatModel.EMBEDDED));
        Files.writeString(home.resolve("local.yaml"), DefaultConfigs.localYaml(home, DefaultConfigs.ChatModel.EMBEDDED));
    }

    private JsonNode psModel() {
        CliRun ps = CliRun.of("ps", "--home", home.toString(), "--json");
        assertThat(ps.code()).as(ps.toString()).isZero();
        for (JsonNode m : Json.parse(ps.out()).get("models")) if (m.get("id").asText().equals(MODEL)) return m;
        throw new AssertionError(MODEL + " not in " + ps.out());
    }

    @Test
    void upDownloadsTheMissingChatModelInTheBackgroundAndPsShowsTheProgress() throws Exception {
        defaultsWithTheEmbeddedChatModel();
        try (FakeHub hub = FakeHub.start()) {
            HubFile f = hub.putGenerated(REPO, FILE, 2 << 20, 11).throttle(32 * 1024, Duration.ofMillis(25));
            RunningUp up = RunningUp.start(home, Map.of("HF_ENDPOINT", hub.endpoint().toString()), "--port", "0", "--local-port", "0");
            try {
                JsonNode[] seen = new JsonNode[1];
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (seen[0] == null) {
                    JsonNode m = psModel();
                    if (m.get("state").asText().equals("downloading") && m.path("download").path("percent").asInt() > 0) seen[0] = m;
                    assertThat(System.nanoTime()).as("no download seen in ps:\n" + up.out).isLessThan(deadline);
                    if (seen[0] == null) Thread.sleep(10); // polling ps, bounded by the deadline
                }
                JsonNode d = seen[0].get("download");
                assertThat(d.get("total_bytes").asLong()).isEqualTo(2 << 20);
                assertThat(d.get("file").asText()).isEqualTo(FILE);
                assertThat(d.has("bytes_per_second") && d.has("eta_seconds")).isTrue();
                CliRun text = CliRun.of("ps", "--home", home.toString());
                assertThat(text.out()).containsPattern("(?m)^" + MODEL + " +chat +(downloading|unavailable|unloaded) ");

                up.command.pull.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(up.command.pull.isAlive()).isFalse();
                assertThat(Files.readAllBytes(home.resolve("models").resolve(FILE))).isEqualTo(hub.bytesOf(f));
                assertThat(psModel().get("state").asText()).isEqualTo("unloaded"); // loadable now, no restart
                assertThat(up.out.toString())
                        .contains("downloading model '" + MODEL + "' in the background")
                        .contains("downloading " + FILE + " (2.0 MiB)") // the progress line
                        .contains("model '" + MODEL + "' downloaded; chat is ready")
                        .contains("tailgate models pull " + MODEL); // the banner's one pull command
            } finally {
                up.stop();
            }

            // --no-pull: the file is gone again, and the hub is not asked
            Files.delete(home.resolve("models").resolve(FILE));
            int before = hub.requests().size();
            RunningUp noPull = RunningUp.start(home, Map.of("HF_ENDPOINT", hub.endpoint().toString()),
                    "--port", "0", "--local-port", "0", "--no-pull");
            try {
                assertThat(noPull.command.pull).isNull();
                assertThat(psModel().get("state").asText()).isEqualTo("unavailable");
                assertThat(psModel().get("reason").asText()).endsWith("run: tailgate models pull " + MODEL);
                assertThat(hub.requests()).hasSize(before);
            } finally {
                noPull.stop();
            }
        }
    }
}
