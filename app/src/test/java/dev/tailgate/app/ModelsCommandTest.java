package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.store.Env;
import dev.tailgate.local.store.PullOptions;
import dev.tailgate.testing.hub.FakeHub;
import dev.tailgate.testing.hub.HubFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class ModelsCommandTest {
    private static final String QWEN = "Qwen/Qwen2.5-0.5B-Instruct-GGUF";
    private static final String QWEN_FILE = "qwen2.5-0.5b-instruct-q4_k_m.gguf";

    @TempDir
    Path tmp;

    private FakeHub hub;
    private Path home;
    private final Map<String, String> vars = new HashMap<>();
    private String out;
    private String err;

    @BeforeEach
    void setUp() {
        hub = FakeHub.start();
        home = tmp.resolve("tg-home");
        vars.put("HF_ENDPOINT", hub.endpoint().toString());
        vars.put("TAILGATE_HOME", home.toString());
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    private int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        PullOptions options = PullOptions.defaults().withReadIdleTimeout(Duration.ofSeconds(10)).withRetries(0, Duration.ZERO);
        CommandLine cmd = new CommandLine(new ModelsCommand(Env.of(vars, tmp.resolve("user")), options));
        cmd.setOut(new PrintWriter(o));
        cmd.setErr(new PrintWriter(e));
        int code = cmd.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void pullByCatalogNameThenListThenRemove() throws Exception {
        HubFile f = hub.putGenerated(QWEN, QWEN_FILE, 300_000, 1);

        assertThat(run("pull", "qwen2.5-0.5b-instruct")).isEqualTo(0);
        Path file = home.resolve("models").resolve(QWEN_FILE);
        assertThat(Files.readAllBytes(file)).isEqualTo(hub.bytesOf(f));
        assertThat(out).contains("downloaded: " + file).contains("sha256 " + f.sha256() + " (verified)");
        assertThat(err).contains("pulling hf://" + QWEN + "/" + QWEN_FILE).contains("downloading " + QWEN_FILE).contains("100.0%");

        assertThat(run("pull", "qwen2.5-0.5b-instruct")).isEqualTo(0);
        assertThat(out).contains("already present");

        assertThat(run("list")).isEqualTo(0);
        assertThat(out).contains("models in " + home.resolve("models")).contains(QWEN_FILE).contains("293.0 KiB").contains(f.sha256());

        assertThat(run("rm", "qwen2.5-0.5b-instruct")).isEqualTo(0);
        assertThat(out).contains("removed " + QWEN_FILE + " (293.0 KiB)");
        assertThat(file).doesNotExist();

        assertThat(run("list")).isEqualTo(0);
        assertThat(out).contains("no model files in");
    }

    @Test
    void pullDirectSourceIntoModelsDirOverride() {
        HubFile f = hub.put("ggerganov/whisper.cpp", "ggml-tiny.bin", new byte[] {1, 2, 3});
        Path dir = tmp.resolve("elsewhere");

        assertThat(run("pull", "--models-dir", dir.toString(), "hf://ggerganov/whisper.cpp/ggml-tiny.bin")).isEqualTo(0);

        assertThat(dir.resolve("ggml-tiny.bin")).exists();
        assertThat(out).contains(f.sha256());
    }

    @Test
    void configuredModelWithSourceIsPulledUnderItsConfiguredFileAndShownAsUsed() throws Exception {
        hub.put("Me/Private", "w.gguf", new byte[] {9, 9});
        Files.createDirectories(home);
        Files.writeString(home.resolve("local.yaml"), """
                models_dir: store
                models:
                  mine:
                    file: mine.gguf
                    source: hf://Me/Private/w.gguf
                  speech:
                    file: kokoro-v1.0-q8.onnx
                """);

        assertThat(run("pull", "--home", home.toString(), "mine")).isEqualTo(0);
        assertThat(home.resolve("store/mine.gguf")).exists();

        assertThat(run("list", "--home", home.toString())).isEqualTo(0);
        assertThat(out).containsPattern("mine\\.gguf +2 B +[0-9a-f]{64} +mine");
        assertThat(out).contains("not downloaded: speech (kokoro-v1.0-q8.onnx)");
    }

    @Test
    void gatedWithoutTokenFailsWithClearMessageAndExitCode1() {
        hub.gate(QWEN, "hf_tok");
        hub.put(QWEN, QWEN_FILE, new byte[10]);

        assertThat(run("pull", "qwen2.5-0.5b-instruct")).isEqualTo(1);
        assertThat(err).contains("tailgate: this repository needs a token: set HF_TOKEN");
        assertThat(out).isEmpty();
    }

    @Test
    void gatedWithTokenFromEnvWorksAndTheTokenIsNeverPrinted() {
        hub.gate(QWEN, "hf_secret_value");
        hub.putGenerated(QWEN, QWEN_FILE, 50_000, 2);
        vars.put("HF_TOKEN", "hf_secret_value");

        assertThat(run("pull", "qwen2.5-0.5b-instruct")).isEqualTo(0);

        assertThat(out + err).doesNotContain("hf_secret_value");
        assertThat(hub.requests(FakeHub.CDN, "GET")).allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
    }

    @Test
    void missingFileWrongChecksumAndUnknownNameExitNonZero() {
        assertThat(run("pull", "hf://" + QWEN + "/nope.gguf")).isEqualTo(1);
        assertThat(err).contains("tailgate: no such ");

        hub.put(QWEN, QWEN_FILE, new byte[1000]).advertiseSha256("cd".repeat(32));
        assertThat(run("pull", "qwen2.5-0.5b-instruct")).isEqualTo(1);
        assertThat(err).contains("tailgate: checksum mismatch");
        assertThat(home.resolve("models").resolve(QWEN_FILE)).doesNotExist();

        assertThat(run("pull", "no-such-model")).isEqualTo(1);
        assertThat(err).contains("tailgate: unknown model 'no-such-model'");

        assertThat(run("rm", "no-such-model")).isEqualTo(1);
        assertThat(err).contains("tailgate: nothing to remove");
    }

    @Test
    void interruptedPullResumesOnTheNextRun() throws Exception {
        HubFile f = hub.putGenerated(QWEN, QWEN_FILE, 500_000, 3).cutAfter(200_000, 1);

        assertThat(run("pull", "qwen2.5-0.5b-instruct")).isEqualTo(1);
        assertThat(err).contains("run pull again to resume");
        assertThat(run("list")).isEqualTo(0);
        assertThat(out).contains(QWEN_FILE + " (unfinished: pull again to resume)");

        assertThat(run("pull", "qwen2.5-0.5b-instruct")).isEqualTo(0);
        assertThat(err).contains("resuming " + QWEN_FILE + " at 195.3 KiB");
        assertThat(out).contains("resumed at 195.3 KiB");
        assertThat(hub.requests(FakeHub.CDN, "GET").getLast().header("Range")).isEqualTo("bytes=200000-");
        assertThat(Files.readAllBytes(home.resolve("models").resolve(QWEN_FILE))).isEqualTo(hub.bytesOf(f));
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(run()).isEqualTo(2);
        assertThat(err).contains("pull").contains("list").contains("rm");
        assertThat(run("pull")).isEqualTo(2);
        assertThat(run("frobnicate")).isEqualTo(2);
    }

    @Test
    void badConfigIsReportedNotThrown() throws Exception {
        Files.createDirectories(home);
        Files.writeString(home.resolve("local.yaml"), "models: [\n");

        assertThat(run("list")).isEqualTo(1);
        assertThat(err).startsWith("tailgate: cannot read").contains("local.yaml");
    }

    @Test
    void multiFileCatalogEntryPullsEveryFileUnderItsLocalName() {
        String repo = "onnx-community/Kokoro-82M-v1.0-ONNX";
        HubFile model = hub.putGenerated(repo, "onnx/model_quantized.onnx", 40_000, 4);
        HubFile voice = hub.putGenerated(repo, "voices/af_heart.bin", 5_000, 5);
        HubFile tokenizer = hub.put(repo, "tokenizer.json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)).inGit();

        assertThat(run("pull", "kokoro")).isEqualTo(0);

        Path dir = home.resolve("models");
        assertThat(out).contains(model.sha256()).contains(voice.sha256()).contains(tokenizer.sha256());
        assertThat(dir.resolve("kokoro-v1.0-q8.onnx")).hasSize(40_000);
        assertThat(dir.resolve("kokoro-voice-af_heart.bin")).hasSize(5_000);
        assertThat(dir.resolve("kokoro-tokenizer.json")).hasContent("{}");

        assertThat(run("rm", "kokoro")).isEqualTo(0);
        assertThat(out.lines()).hasSize(3).allMatch(l -> l.startsWith("removed kokoro-"));
    }

    @Test
    void theListsPullCommandNamesTheHomeAndModelsDirOnlyWhenTheyAreNotTheDefault() throws Exception {
        String localYaml = """
                models:
                  mine:
                    file: mine.gguf
                    source: hf://Me/Private/w.gguf
                """;
        Files.createDirectories(home);
        Files.writeString(home.resolve("local.yaml"), localYaml); // home: $TAILGATE_HOME, not ~/.tailgate
        assertThat(run("list")).isEqualTo(0);
        assertThat(out).contains("not downloaded: mine (mine.gguf) — run: tailgate models pull mine --home " + home + "\n");
        assertThat(run("list", "--json")).isEqualTo(0);
        assertThat(out).contains("\"pull\" : \"tailgate models pull mine --home " + home + "\"");
        Path dir = tmp.resolve("other models");
        assertThat(run("list", "--models-dir", dir.toString())).isEqualTo(0);
        assertThat(out).contains("run: tailgate models pull mine --home " + home + " --models-dir '" + dir + "'");

        Path defaultHome = Files.createDirectories(tmp.resolve("user/.tailgate"));
        Files.writeString(defaultHome.resolve("local.yaml"), localYaml);
        vars.put("TAILGATE_HOME", defaultHome.toString());
        assertThat(run("list")).isEqualTo(0);
        assertThat(out).contains("not downloaded: mine (mine.gguf) — run: tailgate models pull mine\n");
    }

    @Test
    void catalogListing() {
        assertThat(run("list", "--catalog")).isEqualTo(0);
        assertThat(out).contains("qwen2.5-3b-instruct").contains("whisper-base.en").contains("kokoro");
    }
}
