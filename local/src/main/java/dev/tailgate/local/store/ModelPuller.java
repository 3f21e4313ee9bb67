package dev.tailgate.local.store;

import dev.tailgate.wire.ByteSizes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one hub file into the models directory: HEAD for checksum and size, GET into {@code <file>.partial}
 * (continuing an earlier attempt with {@code Range: bytes=N-}), verify, then an atomic rename. Never holds a
 * body in memory; never leaves a file under the final name that did not verify.
 */
public final class ModelPuller implements AutoCloseable {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    private final HttpClient http;
    private final HubClient hub;
    private final PullOptions options;

    public ModelPuller(HubAccess access, PullOptions options) {
        this.options = options;
        this.http = HubClient.newHttpClient(options);
        this.hub = new HubClient(http, access, options);
    }

    static Path partialFor(Path target) {
        return target.resolveSibling(target.getFileName() + ".partial");
    }

    /** Records which hub version the partial belongs to, so a changed file upstream is never spliced onto it. */
    static Path partialInfoFor(Path target) {
        return target.resolveSibling(target.getFileName() + ".partial.info");
    }

    /** Reads the hub's metadata only (size, checksum, commit): no download. */
    public HubFileMetadata metadata(HfSource source) throws PullException {
        return hub.metadata(source);
    }

    public PullResult pull(HfSource source, Path target, PullProgress progress) throws PullException {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new PullException(PullException.Kind.DISK, "cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
        try (PullLock ignored = PullLock.acquire(target)) {
            HubFileMetadata meta = hub.metadata(source);
            if (Files.isRegularFile(target)) {
                String sha = matchingSha256(target, meta);
                if (sha != null) return new PullResult(source, target, meta.size(), sha, PullResult.Outcome.ALREADY_PRESENT, 0, meta.commit());
            }
            for (int attempt = 0; ; attempt++) {
                try {
                    if (meta == null) meta = hub.metadata(source); // CDN URLs are signed and expire: ask again before resuming
                    return transfer(meta, target, progress);
                } catch (PullException e) {
                    if (e.kind() != PullException.Kind.NETWORK || attempt >= options.retries()) throw e;
                    pause(options.retryBackoff().toMillis() * (attempt + 1));
                    meta = null;
                }
            }
        }
    }

    /** The file's SHA-256 if it already is the hub's version, else null. */
    private static String matchingSha256(Path target, HubFileMetadata meta) throws PullException {
        try {
            if (Files.size(target) != meta.size()) return null;
            String sha = ChecksumSidecar.sha256(target);
            if (meta.checksum().algorithm() == ExpectedChecksum.Algorithm.SHA256) return sha.equals(meta.checksum().hex()) ? sha : null;
            String git = ChecksumSidecar.compute(target, meta.checksum().newDigest(meta.size()));
            return git.equals(meta.checksum().hex()) ? sha : null;
        } catch (IOException e) {
            throw new PullException(PullException.Kind.DISK, "cannot read " + target + ": " + e.getMessage(), e);
        }
    }

    private PullResult transfer(HubFileMetadata meta, Path target, PullProgress progress) throws PullException {
        Path partial = partialFor(target);
        long have = preparePartial(meta, target);
        checkDiskSpace(target, meta.size() - have);
        Hashes hashes = new Hashes(meta);
        if (have > 0) hashes.prime(partial, have);
        long resumedFrom = have;
        long end = have;
        try {
            if (have < meta.size()) end = download(meta, partial, hashes, progress);
            if (hashes.restarted()) resumedFrom = 0; // the server ignored Range (or refused it) and we started over
        } finally {
            progress.finished();
        }
        if (end != meta.size()) {
            discardPartial(target);
            throw new PullException(PullException.Kind.CHECKSUM_MISMATCH, "size mismatch for " + target.getFileName() + ": the hub announced "
                    + meta.size() + " bytes, got " + end + "; the partial download was deleted, run pull again");
        }
        String expected = meta.checksum().hex();
        String actual = hashes.expectedDigestHex();
        if (!expected.equals(actual)) {
            discardPartial(target);
            throw new PullException(PullException.Kind.CHECKSUM_MISMATCH, "checksum mismatch for " + target.getFileName() + ": the hub says "
                    + meta.checksum().label() + " " + expected + ", the download has " + actual + "; the partial download was deleted, run pull again");
        }
        String sha256 = hashes.sha256Hex();
        try {
            ChecksumSidecar.write(target, sha256);
            moveIntoPlace(partial, target);
            Files.deleteIfExists(partialInfoFor(target));
        } catch (IOException e) {
            throw new PullException(PullException.Kind.DISK, "cannot move " + partial + " to " + target + ": " + e.getMessage(), e);
        }
        PullResult.Outcome outcome = resumedFrom > 0 ? PullResult.Outcome.RESUMED : PullResult.Outcome.DOWNLOADED;
        return new PullResult(meta.source(), target, meta.size(), sha256, outcome, resumedFrom, meta.commit());
    }

    /** Bytes already in a partial that belongs to this exact hub version (0 when there is none or it is stale). */
    private static long preparePartial(HubFileMetadata meta, Path target) throws PullException {
        Path partial = partialFor(target);
        Path info = partialInfoFor(target);
        String version = meta.checksum().label() + ":" + meta.checksum().hex() + " " + meta.size() + "\n";
        try {
            long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
            boolean sameVersion = Files.isRegularFile(info) && Files.readString(info, StandardCharsets.UTF_8).equals(version);
            if (have > 0 && (!sameVersion || have > meta.size())) {
                Files.delete(partial);
                have = 0;
            }
            Files.writeString(info, version, StandardCharsets.UTF_8);
            return have;
        } catch (IOException e) {
            throw new PullException(PullException.Kind.DISK, "cannot prepare " + partial + ": " + e.getMessage(), e);
        }
    }

    private static void checkDiskSpace(Path target, long needed) throws PullException {
        try {
            long usable = Files.getFileStore(target.toAbsolutePath().getParent()).getUsableSpace();
            if (usable < needed) {
                throw new PullException(PullException.Kind.DISK, "not enough disk space in " + target.getParent() + ": need "
                        + ByteSizes.format(needed) + ", " + ByteSizes.format(usable) + " free");
            }
        } catch (IOException e) {
            // cannot tell; let the write itself fail if space runs out
        }
    }

    private static void discardPartial(Path target) {
        try {
            Files.deleteIfExists(partialFor(target));
            Files.deleteIfExists(partialInfoFor(target));
        } catch (IOException ignored) {
            // the error being reported matters more; the next pull replaces a stale partial anyway
        }
    }

    private static void moveIntoPlace(Path partial, Path target) throws IOException {
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * GETs the rest of the file into the partial, following redirects (the token only on the hub's origin).
     * Returns the partial's final length.
     */
    private long download(HubFileMetadata meta, Path partial, Hashes hashes, PullProgress progress) throws PullException {
        URI url = meta.downloadUrl();
        String name = meta.source().fileName();
        long have = hashes.length();
        boolean restarted = false;
        for (int hop = 0; hop <= HubClient.MAX_REDIRECTS; ) {
            long from = have;
            HttpRequest.Builder request = hub.request(url, "GET");
            if (from > 0) request.header("Range", "bytes=" + from + "-");
            AtomicReference<FileSink> sinkRef = new AtomicReference<>();
            HttpResponse.BodyHandler<Long> handler = info -> {
                int status = info.statusCode();
                if (status == 200 || status == 206 && startOf(info) == from) {
                    long offset = status == 200 ? 0 : from;
                    if (offset == 0) hashes.reset();
                    progress.started(name, meta.size(), offset);
                    FileSink sink = new FileSink(partial, offset, hashes.digests(), progress);
                    sinkRef.set(sink);
                    return sink;
                }
                return HttpResponse.BodySubscribers.replacing(-1L);
            };
            HttpResponse<Long> response = await(http.sendAsync(request.build(), handler), sinkRef, url);
            int status = response.statusCode();
            if (status == 200 || status == 206 && response.body() >= 0) return response.body();
            if (HubClient.isRedirect(status)) {
                url = HubClient.location(url, response);
                hop++;
                continue;
            }
            if ((status == 416 || status == 206) && from > 0 && !restarted) {
                // The server disagrees about our partial (416, or a 206 for another range): start over once, without Range.
                restarted = true;
                have = 0;
                hashes.reset();
                continue;
            }
            if (status == 401 || status == 403 || status == 404) throw hub.refusal(meta.source(), response);
            if (status >= 500 || status == 429) {
                // CDN hiccups are usually transient: worth an automatic resume, and the partial stays.
                throw new PullException(PullException.Kind.NETWORK, "download of " + meta.source() + " failed: HTTP " + status + " from "
                        + url.getScheme() + "://" + url.getAuthority() + "; the partial download is kept, run pull again to resume");
            }
            throw new PullException(PullException.Kind.HUB, "download of " + meta.source() + " failed: HTTP " + status + " from "
                    + url.getScheme() + "://" + url.getAuthority());
        }
        throw new PullException(PullException.Kind.HUB, "too many redirects downloading " + meta.source());
    }

    private static long startOf(HttpResponse.ResponseInfo info) {
        return info.headers().firstValue("Content-Range").map(v -> {
            Matcher m = CONTENT_RANGE.matcher(v.strip());
            return m.matches() ? Long.parseLong(m.group(1)) : -1L;
        }).orElse(-1L);
    }

    /**
     * Waits for the transfer, polling its progress: the read-idle timeout is "no new bytes for that long", so a
     * slow but moving download never times out while a stalled one does.
     */
    private HttpResponse<Long> await(CompletableFuture<HttpResponse<Long>> future, AtomicReference<FileSink> sinkRef, URI url) throws PullException {
        long idleNanos = options.readIdleTimeout().toNanos();
        long pollMillis = Math.max(10, Math.min(1000, options.readIdleTimeout().toMillis() / 4));
        while (true) {
            try {
                return future.get(pollMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                FileSink sink = sinkRef.get();
                if (sink == null) continue; // waiting for headers: the request timeout covers this phase
                if (System.nanoTime() - sink.lastActivityNanos() > idleNanos) {
                    sink.abort();
                    future.cancel(true);
                    throw new PullException(PullException.Kind.NETWORK, "no data from " + url.getScheme() + "://" + url.getAuthority() + " for "
                            + options.readIdleTimeout().toSeconds() + "s; the partial download is kept, run pull again to resume");
                }
            } catch (InterruptedException e) {
                FileSink sink = sinkRef.get();
                if (sink != null) sink.abort();
                future.cancel(true);
                Thread.currentThread().interrupt();
                throw new PullException(PullException.Kind.NETWORK, "interrupted; the partial download is kept, run pull again to resume", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof FileSink.DiskFailure disk) {
                    throw new PullException(PullException.Kind.DISK, "cannot write the download: " + disk.getMessage(), disk);
                }
                IOException io = cause instanceof IOException x ? x : new IOException(String.valueOf(cause), cause);
                PullException network = HubClient.networkFailure(url, io);
                throw new PullException(PullException.Kind.NETWORK, network.getMessage() + "; the partial download is kept, run pull again to resume", io);
            }
        }
    }

    /** Releases the HTTP client's connections and threads. */
    @Override
    public void close() {
        http.close();
    }

    private static void pause(long millis) throws PullException {
        if (millis <= 0) return;
        try {
            Thread.sleep(millis); // backoff between retries, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PullException(PullException.Kind.NETWORK, "interrupted");
        }
    }

    /** The running SHA-256 (for the sidecar) and, when the hub publishes a git blob id instead, that digest too. */
    private static final class Hashes {
        private final HubFileMetadata meta;
        private MessageDigest sha256;
        private MessageDigest expected;
        private long length;
        private boolean restarted;
        private String expectedHex;

        Hashes(HubFileMetadata meta) {
            this.meta = meta;
            init();
        }

        /** Back to zero bytes: the partial is being rewritten from the start. */
        void reset() {
            restarted = restarted || length > 0;
            init();
        }

        private void init() {
            sha256 = ExpectedChecksum.sha256();
            expected = meta.checksum().algorithm() == ExpectedChecksum.Algorithm.SHA256 ? sha256 : meta.checksum().newDigest(meta.size());
            length = 0;
        }

        /** Feeds the bytes an earlier attempt left behind (resuming needs the digest of the whole file). */
        void prime(Path partial, long bytes) throws PullException {
            try (var in = Files.newInputStream(partial)) {
                byte[] buffer = new byte[1 << 16];
                long left = bytes;
                for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; left -= n) {
                    for (MessageDigest d : digests()) d.update(buffer, 0, n);
                }
                length = bytes;
            } catch (IOException e) {
                throw new PullException(PullException.Kind.DISK, "cannot read " + partial + ": " + e.getMessage(), e);
            }
        }

        List<MessageDigest> digests() {
            return expected == sha256 ? List.of(sha256) : List.of(sha256, expected);
        }

        long length() {
            return length;
        }

        boolean restarted() {
            return restarted;
        }

        /** Call after {@link #expectedDigestHex} (a digest can be finished only once). */
        String sha256Hex() {
            return expected == sha256 ? expectedDigestHex() : ExpectedChecksum.hex(sha256);
        }

        String expectedDigestHex() {
            if (expectedHex == null) expectedHex = ExpectedChecksum.hex(expected);
            return expectedHex;
        }
    }
}
