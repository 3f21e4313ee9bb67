package dev.tailgate.local.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tailgate.testing.hub.FakeHub;
import dev.tailgate.testing.hub.HubFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ModelPullerTest {
    private static final String REPO = "Qwen/Tiny-GGUF";
    private static final String FILE = "tiny-q4_k_m.gguf";
    private static final int SIZE = 1_000_000;

    @TempDir
    Path dir;

    private FakeHub hub;
    private Path target;
    private final List<ModelPuller> pullers = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void startHub() {
        hub = FakeHub.start();
        target = dir.resolve(FILE);
    }

    @AfterEach
    void stopHub() {
        pullers.forEach(ModelPuller::close);
        hub.close();
    }

    private ModelPuller puller(String token, int retries) {
        return puller(token, PullOptions.defaults().withReadIdleTimeout(Duration.ofSeconds(10)).withRetries(retries, Duration.ZERO));
    }

    private ModelPuller puller(String token, PullOptions options) {
        ModelPuller p = new ModelPuller(new HubAccess(hub.endpoint(), token), options);
        pullers.add(p);
        return p;
    }

    private static HfSource source(String repo, String file) {
        return HfSource.parse("hf://" + repo + "/" + file);
    }

    private PullResult pull(ModelPuller puller) throws PullException {
        return puller.pull(source(REPO, FILE), target, PullProgress.NONE);
    }

    @Test
    void fullPullVerifiesChecksumAndWritesSidecar() throws Exception {
        HubFile f = hub.putGenerated(REPO, FILE, SIZE, 1);

        PullResult result = pull(puller(null, 0));

        assertThat(result.outcome()).isEqualTo(PullResult.Outcome.DOWNLOADED);
        assertThat(result.sha256()).isEqualTo(f.sha256());
        assertThat(result.commit()).isEqualTo(hub.commit());
        assertThat(Files.readAllBytes(target)).isEqualTo(hub.bytesOf(f));
        assertThat(Files.readString(ChecksumSidecar.sidecarFor(target))).isEqualTo(f.sha256() + "  " + FILE + "\n");
        assertThat(ModelPuller.partialFor(target)).doesNotExist();
        assertThat(ModelPuller.partialInfoFor(target)).doesNotExist();
        List<FakeHub.Recorded> heads = hub.requests(FakeHub.HUB, "HEAD");
        assertThat(heads).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/Qwen/Tiny-GGUF/resolve/main/tiny-q4_k_m.gguf");
            assertThat(r.header("Accept-Encoding")).isEqualTo("identity");
        });
        assertThat(hub.requests(FakeHub.CDN, "GET")).singleElement().satisfies(r -> assertThat(r.header("Range")).isNull());
    }

    @Test
    void interruptedDownloadResumesWithRange() throws Exception {
        HubFile f = hub.putGenerated(REPO, FILE, SIZE, 2).cutAfter(300_000, 1);

        assertThatThrownBy(() -> pull(puller(null, 0)))
                .isInstanceOf(PullException.class)
                .satisfies(e -> assertThat(((PullException) e).kind()).isEqualTo(PullException.Kind.NETWORK))
                .hasMessageContaining("run pull again to resume");
        assertThat(target).doesNotExist();
        assertThat(ModelPuller.partialFor(target)).hasSize(300_000);

        PullResult result = pull(puller(null, 0));

        assertThat(result.outcome()).isEqualTo(PullResult.Outcome.RESUMED);
        assertThat(result.resumedFrom()).isEqualTo(300_000);
        List<FakeHub.Recorded> gets = hub.requests(FakeHub.CDN, "GET");
        assertThat(gets).hasSize(2);
        assertThat(gets.get(1).header("Range")).isEqualTo("bytes=300000-");
        assertThat(Files.readAllBytes(target)).isEqualTo(hub.bytesOf(f));
        assertThat(result.sha256()).isEqualTo(f.sha256());
    }

    @Test
    void cutConnectionIsResumedAutomaticallyWithinOnePull() throws Exception {
        HubFile f = hub.putGenerated(REPO, FILE, SIZE, 3).cutAfter(123_457, 2);

        PullResult result = pull(puller(null, 2));

        assertThat(result.outcome()).isEqualTo(PullResult.Outcome.RESUMED);
        List<FakeHub.Recorded> gets = hub.requests(FakeHub.CDN, "GET");
        assertThat(gets).extracting(r -> r.header("Range")).containsExactly(null, "bytes=123457-", "bytes=246914-");
        assertThat(Files.readAllBytes(target)).isEqualTo(hub.bytesOf(f));
    }

    @Test
    void serverIgnoringRangeRestartsCleanly() throws Exception {
        HubFile f = hub.putGenerated(REPO, FILE, SIZE, 4).cutAfter(400_000, 1);
        assertThatThrownBy(() -> pull(puller(null, 0))).isInstanceOf(PullException.class);
        f.ignoreRange();

        PullResult result = pull(puller(null, 0));

        assertThat(hub.requests(FakeHub.CDN, "GET").get(1).header("Range")).isEqualTo("bytes=400000-");
        assertThat(result.outcome()).isEqualTo(PullResult.Outcome.DOWNLOADED);
        assertThat(result.resumedFrom()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(hub.bytesOf(f)); // not 400 kB of prefix + the whole file again
    }

    @Test
    void wrongChecksumDeletesPartialAndLeavesNoFile() {
        hub.putGenerated(REPO, FILE, SIZE, 5).advertiseSha256("ab".repeat(32));

        assertThatThrownBy(() -> pull(puller(null, 0)))
                .isInstanceOf(PullException.class)
                .satisfies(e -> assertThat(((PullException) e).kind()).isEqualTo(PullException.Kind.CHECKSUM_MISMATCH))
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining("ab".repeat(32));
        assertThat(target).doesNotExist();
        assertThat(ModelPuller.partialFor(target)).doesNotExist();
        assertThat(ChecksumSidecar.sidecarFor(target)).doesNotExist();
    }

    @Test
    void missingFileSaysSo() {
        hub.put(REPO, "other.gguf", new byte[10]);

        assertThatThrownBy(() -> pull(puller(null, 0)))
                .isInstanceOf(PullException.class)
                .satisfies(e -> assertThat(((PullException) e).kind()).isEqualTo(PullException.Kind.NOT_FOUND))
                .hasMessageContaining("no such file on the hub")
                .hasMessageContaining("hf://Qwen/Tiny-GGUF/tiny-q4_k_m.gguf");
        assertThat(target).doesNotExist();
        assertThat(ModelPuller.partialFor(target)).doesNotExist();
    }

    @Test
    void missingRepositoryAndRevisionSaySo() {
        assertThatThrownBy(() -> puller(null, 0).pull(source("Nobody/Nothing", FILE), target, PullProgress.NONE))
                .hasMessageContaining("no such repository on the hub: Nobody/Nothing");
        hub.put(REPO, FILE, new byte[10]);
        assertThatThrownBy(() -> puller(null, 0).pull(HfSource.parse("hf://" + REPO + "@v9/" + FILE), target, PullProgress.NONE))
                .hasMessageContaining("no such revision on the hub: 'v9'");
    }

    @Test
    void gatedRepositoryWithoutTokenAsksForOne() {
        hub.gate(REPO, "hf_secret_token");
        hub.put(REPO, FILE, new byte[100]);

        assertThatThrownBy(() -> pull(puller(null, 0)))
                .isInstanceOf(PullException.class)
                .satisfies(e -> assertThat(((PullException) e).kind()).isEqualTo(PullException.Kind.NEEDS_TOKEN))
                .hasMessageContaining("this repository needs a token: set HF_TOKEN");
    }

    @Test
    void gatedRepositoryWithTokenWorksAndTheCdnNeverSeesTheToken() throws Exception {
        hub.gate(REPO, "hf_secret_token");
        HubFile f = hub.putGenerated(REPO, FILE, SIZE, 6);

        PullResult result = pull(puller("hf_secret_token", 0));

        assertThat(result.sha256()).isEqualTo(f.sha256());
        assertThat(hub.requests(FakeHub.HUB, "HEAD")).allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer hf_secret_token"));
        assertThat(hub.requests(FakeHub.CDN, "GET")).isNotEmpty().allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
    }

    @Test
    void refusedTokenIsReportedWithoutRevealingIt() {
        hub.gate(REPO, "hf_right");
        hub.put(REPO, FILE, new byte[100]);

        assertThatThrownBy(() -> pull(puller("hf_wrong_token_value", 0)))
                .isInstanceOf(PullException.class)
                .satisfies(e -> assertThat(((PullException) e).kind()).isEqualTo(PullException.Kind.TOKEN_REFUSED))
                .hasMessageNotContaining("hf_wrong_token_value");
    }

    @Test
    void renamedRepositoryIsFollowedOnTheHubKeepingTheToken() throws Exception {
        hub.gate("Qwen/New-Name", "tok");
        HubFile f = hub.put("Qwen/New-Name", FILE, "hello model".getBytes(StandardCharsets.UTF_8));
        hub.rename(REPO, "Qwen/New-Name");

        PullResult result = pull(puller("tok", 0));

        assertThat(result.sha256()).isEqualTo(f.sha256());
        assertThat(hub.requests(FakeHub.HUB, "HEAD")).extracting(FakeHub.Recorded::path)
                .containsExactly("/Qwen/Tiny-GGUF/resolve/main/tiny-q4_k_m.gguf", "/Qwen/New-Name/resolve/main/tiny-q4_k_m.gguf");
        assertThat(hub.requests(FakeHub.HUB, "HEAD")).allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer tok"));
    }

    @Test
    void smallGitFileIsVerifiedByItsBlobId() throws Exception {
        HubFile f = hub.put(REPO, "config.json", "{\"a\":1}\n".getBytes(StandardCharsets.UTF_8)).inGit();

        PullResult result = puller("tok", 0).pull(source(REPO, "config.json"), dir.resolve("config.json"), PullProgress.NONE);

        assertThat(result.sha256()).isEqualTo(f.sha256());
        assertThat(dir.resolve("config.json")).hasContent("{\"a\":1}");
        assertThat(hub.requests(FakeHub.CDN, "GET")).isEmpty();
        assertThat(hub.requests(FakeHub.HUB, "GET")).singleElement().satisfies(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer tok"));
    }

    @Test
    void alreadyPresentFileIsNotDownloadedAgain() throws Exception {
        hub.putGenerated(REPO, FILE, 50_000, 7);
        pull(puller(null, 0));

        PullResult again = pull(puller(null, 0));

        assertThat(again.outcome()).isEqualTo(PullResult.Outcome.ALREADY_PRESENT);
        assertThat(hub.requests(FakeHub.CDN, "GET")).hasSize(1);
    }

    @Test
    void changedFileUpstreamReplacesTheLocalOne() throws Exception {
        hub.putGenerated(REPO, FILE, 50_000, 8);
        pull(puller(null, 0));
        HubFile newer = hub.putGenerated(REPO, FILE, 60_000, 9);

        PullResult result = pull(puller(null, 0));

        assertThat(result.outcome()).isEqualTo(PullResult.Outcome.DOWNLOADED);
        assertThat(Files.readAllBytes(target)).isEqualTo(hub.bytesOf(newer));
    }

    @Test
    void partialOfAnotherVersionIsNotContinued() throws Exception {
        hub.putGenerated(REPO, FILE, SIZE, 10).cutAfter(200_000, 1);
        assertThatThrownBy(() -> pull(puller(null, 0))).isInstanceOf(PullException.class);
        HubFile newer = hub.putGenerated(REPO, FILE, SIZE, 11);

        pull(puller(null, 0));

        assertThat(hub.requests(FakeHub.CDN, "GET").getLast().header("Range")).isNull();
        assertThat(Files.readAllBytes(target)).isEqualTo(hub.bytesOf(newer));
    }

    @Test
    void stalledTransferTimesOutAndKeepsThePartial() {
        hub.putGenerated(REPO, FILE, SIZE, 12).stallAfter(100_000);
        PullOptions options = PullOptions.defaults().withReadIdleTimeout(Duration.ofSeconds(1)).withRetries(0, Duration.ZERO);

        assertThatThrownBy(() -> puller(null, options).pull(source(REPO, FILE), target, PullProgress.NONE))
                .isInstanceOf(PullException.class)
                .satisfies(e -> assertThat(((PullException) e).kind()).isEqualTo(PullException.Kind.NETWORK))
                .hasMessageContaining("no data from");
        assertThat(ModelPuller.partialFor(target)).hasSize(100_000);
        assertThat(target).doesNotExist();
    }

    @Test
    void slowButMovingTransferCompletes() throws Exception {
        // 10 pieces 150 ms apart: the whole transfer outlasts the 1 s idle timeout, no single gap comes near it.
        HubFile f = hub.putGenerated(REPO, FILE, 40_000, 13).throttle(4_000, Duration.ofMillis(150));
        PullOptions options = PullOptions.defaults().withReadIdleTimeout(Duration.ofSeconds(1)).withRetries(0, Duration.ZERO);

        PullResult result = puller(null, options).pull(source(REPO, FILE), target, PullProgress.NONE);

        assertThat(result.sha256()).isEqualTo(f.sha256());
    }

    @Test
    void serverErrorIsRetriedThenReported() throws Exception {
        HubFile f = hub.putGenerated(REPO, FILE, 10_000, 14).failDownloads(503, 1);
        assertThatThrownBy(() -> pull(puller(null, 0))).hasMessageContaining("HTTP 503");

        f.failDownloads(503, 5);
        assertThatThrownBy(() -> pull(puller(null, 3))).hasMessageContaining("HTTP 503");
        assertThat(hub.requests(FakeHub.CDN, "GET")).hasSize(5); // 1 + (1 try + 3 retries)

        f.failDownloads(502, 1);
        assertThat(pull(puller(null, 1)).sha256()).isEqualTo(f.sha256());
    }

    @Test
    void concurrentPullOfTheSameFileIsRefused() throws Exception {
        hub.putGenerated(REPO, FILE, 10_000, 15);
        try (PullLock held = PullLock.acquire(target)) {
            assertThatThrownBy(() -> pull(puller(null, 0)))
                    .isInstanceOf(PullException.class)
                    .satisfies(e -> assertThat(((PullException) e).kind()).isEqualTo(PullException.Kind.BUSY))
                    .hasMessageContaining("another pull");
        }
        assertThat(pull(puller(null, 0)).outcome()).isEqualTo(PullResult.Outcome.DOWNLOADED);
    }

    @Test
    void rangeRefusedWith416RestartsFromZeroAndSizeMismatchIsCaught() throws Exception {
        HubFile f = hub.put(REPO, FILE, new byte[1000]).advertiseSize(2000);
        Files.write(ModelPuller.partialFor(target), new byte[1500]);
        Files.writeString(ModelPuller.partialInfoFor(target), "sha256:" + f.sha256() + " 2000\n");

        assertThatThrownBy(() -> pull(puller(null, 0)))
                .isInstanceOf(PullException.class)
                .satisfies(e -> assertThat(((PullException) e).kind()).isEqualTo(PullException.Kind.CHECKSUM_MISMATCH))
                .hasMessageContaining("size mismatch").hasMessageContaining("announced 2000 bytes, got 1000");
        assertThat(hub.requests(FakeHub.CDN, "GET")).extracting(r -> r.header("Range")).containsExactly("bytes=1500-", null);
        assertThat(ModelPuller.partialFor(target)).doesNotExist();
        assertThat(target).doesNotExist();
    }

    @Test
    void completePartialIsVerifiedAndMovedWithoutDownloading() throws Exception {
        HubFile f = hub.putGenerated(REPO, FILE, 70_000, 18);
        Files.write(ModelPuller.partialFor(target), hub.bytesOf(f));
        Files.writeString(ModelPuller.partialInfoFor(target), "sha256:" + f.sha256() + " 70000\n");

        PullResult result = pull(puller(null, 0));

        assertThat(result.outcome()).isEqualTo(PullResult.Outcome.RESUMED);
        assertThat(result.resumedFrom()).isEqualTo(70_000);
        assertThat(hub.requests(FakeHub.CDN, "GET")).isEmpty();
        assertThat(Files.readAllBytes(target)).isEqualTo(hub.bytesOf(f));
    }

    @Test
    void secondConcurrentPullIsRefusedWhileTheFirstFinishes() throws Exception {
        HubFile f = hub.putGenerated(REPO, FILE, 200_000, 17).throttle(10_000, Duration.ofMillis(30));
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return pull(puller(null, 0));
            } catch (PullException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.exists(ModelPuller.partialFor(target)) && System.nanoTime() < deadline) Thread.sleep(5); // poll with a deadline
        assertThat(ModelPuller.partialFor(target)).exists(); // the first pull holds the lock from before this file exists

        assertThatThrownBy(() -> pull(puller(null, 0)))
                .satisfies(e -> assertThat(((PullException) e).kind()).isEqualTo(PullException.Kind.BUSY));

        assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS).sha256()).isEqualTo(f.sha256());
    }

    @Test
    void progressIsReportedUpToTheTotal() throws Exception {
        hub.putGenerated(REPO, FILE, SIZE, 16);
        long[] seen = {-1, -1};
        PullProgress progress = new PullProgress() {
            @Override
            public void started(String fileName, long totalBytes, long alreadyHave) {
                seen[0] = totalBytes;
            }

            @Override
            public void advanced(long bytesOnDisk) {
                seen[1] = bytesOnDisk;
            }

            @Override
            public void finished() {}
        };

        puller(null, 0).pull(source(REPO, FILE), target, progress);

        assertThat(seen).containsExactly(SIZE, SIZE);
    }

    @Test
    void hubAccessReadsEndpointAndTokenFromEnvAndTokenFile() throws Exception {
        Path home = dir.resolve("home");
        HubAccess defaults = HubAccess.from(Env.of(Map.of(), home));
        assertThat(defaults.endpoint()).hasToString("https://huggingface.co");
        assertThat(defaults.hasToken()).isFalse();

        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_from_file\n");
        HubAccess fromFile = HubAccess.from(Env.of(Map.of("HF_ENDPOINT", hub.endpoint().toString()), home));
        assertThat(fromFile.endpoint()).isEqualTo(hub.endpoint());
        assertThat(fromFile.tokenFor(hub.endpoint().resolve("/x"))).contains("hf_from_file");
        assertThat(fromFile.tokenFor(hub.cdnOrigin().resolve("/x"))).isEmpty();
        assertThat(fromFile.toString()).doesNotContain("hf_from_file");

        HubAccess fromEnv = HubAccess.from(Env.of(Map.of("HF_TOKEN", "hf_env"), home));
        assertThat(fromEnv.tokenFor(URI("https://huggingface.co/a"))).contains("hf_env");
        assertThat(fromEnv.tokenFor(URI("https://cas-bridge.xethub.hf.co/a"))).isEmpty();
        assertThat(fromEnv.tokenFor(URI("http://huggingface.co/a"))).isEmpty();

        assertThatThrownBy(() -> HubAccess.from(Env.of(Map.of("HF_ENDPOINT", "ftp://x"), home))).hasMessageContaining("HF_ENDPOINT");
    }

    private static java.net.URI URI(String s) {
        return java.net.URI.create(s);
    }
}
