package dev.tailgate.testing.hub;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file registered on the {@link FakeHub}, with scripted faults. By default it is an LFS file: the hub answers
 * HEAD/GET with a 302 to the CDN origin and publishes its SHA-256 in {@code X-Linked-Etag}.
 */
public final class HubFile {
    final String repoId;
    final String path;
    final HubContent content;
    final String id;
    private final String sha256;
    private final String gitSha1;

    volatile boolean lfs = true;
    volatile String advertisedSha256;
    volatile long advertisedSize = -1;
    volatile boolean ignoreRange;
    volatile long cutAfterBytes = -1;
    final AtomicInteger cutsLeft = new AtomicInteger();
    volatile long stallAfterBytes = -1;
    volatile int throttleChunk;
    volatile Duration throttlePause = Duration.ZERO;
    volatile int failStatus;
    final AtomicInteger failuresLeft = new AtomicInteger();

    HubFile(String repoId, String path, HubContent content, String id) {
        this.repoId = repoId;
        this.path = path;
        this.content = content;
        this.id = id;
        this.sha256 = HubContent.digestHex(content, "SHA-256", new byte[0]);
        this.gitSha1 = HubContent.digestHex(content, "SHA-1", ("blob " + content.size() + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    /** The real SHA-256 of the content. */
    public String sha256() {
        return sha256;
    }

    public long size() {
        return content.size();
    }

    /** A small file kept in git (not LFS): served by the hub itself, ETag = git blob SHA-1, no redirect. */
    public HubFile inGit() {
        lfs = false;
        return this;
    }

    /** Publishes a wrong checksum in X-Linked-Etag (the content stays the same). */
    public HubFile advertiseSha256(String hex) {
        advertisedSha256 = hex;
        return this;
    }

    /** Publishes a wrong size in X-Linked-Size (the content stays the same). */
    public HubFile advertiseSize(long bytes) {
        advertisedSize = bytes;
        return this;
    }

    /** Answers 200 with the whole file to a Range request, as a server without range support does. */
    public HubFile ignoreRange() {
        ignoreRange = true;
        return this;
    }

    /** The next {@code times} downloads send {@code bytes} body bytes, then the connection is cut. */
    public HubFile cutAfter(long bytes, int times) {
        cutAfterBytes = bytes;
        cutsLeft.set(times);
        return this;
    }

    /** Every download sends {@code bytes} body bytes, then nothing more until the hub closes (a stalled transfer). */
    public HubFile stallAfter(long bytes) {
        stallAfterBytes = bytes;
        return this;
    }

    /** Sends the body in {@code chunk}-byte pieces with a pause between them (slow but alive). */
    public HubFile throttle(int chunk, Duration pause) {
        throttleChunk = chunk;
        throttlePause = pause;
        return this;
    }

    /** The next {@code times} downloads of the content answer {@code status} instead (e.g. 500, 503). */
    public HubFile failDownloads(int status, int times) {
        failStatus = status;
        failuresLeft.set(times);
        return this;
    }

    String etagSha256() {
        return advertisedSha256 != null ? advertisedSha256 : sha256;
    }

    long linkedSize() {
        return advertisedSize >= 0 ? advertisedSize : size();
    }

    String gitSha1() {
        return gitSha1;
    }
}
