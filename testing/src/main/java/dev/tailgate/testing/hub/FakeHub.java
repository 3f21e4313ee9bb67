package dev.tailgate.testing.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted Hugging Face hub on loopback, behaving like huggingface.co where the model store depends on it:
 * {@code /OWNER/REPO/resolve/REVISION/FILE} answers HEAD and GET; LFS files 302 to a separate "CDN" origin
 * (another port on 127.0.0.1, so a different origin) with {@code X-Linked-Etag}, {@code X-Linked-Size},
 * {@code X-Repo-Commit}; gated repos need {@code Authorization: Bearer}; errors carry {@code X-Error-Code}
 * (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo). The CDN rejects requests that carry an
 * Authorization header (as S3 does), serves Range requests, and plays the faults each {@link HubFile} scripts.
 * Every request is recorded for assertions.
 */
public final class FakeHub implements AutoCloseable {
    public static final String HUB = "hub";
    public static final String CDN = "cdn";
    private static final Pattern RESOLVE = Pattern.compile("/([^/]+)/([^/]+)/resolve/([^/]+)/(.+)");
    private static final Pattern CDN_PATH = Pattern.compile("/cdn/([^/]+)/[^/]+");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    /** One request as the server saw it. Header names are matched case-insensitively. */
    public record Recorded(String server, String method, String path, Map<String, List<String>> headers) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    private final HttpServer hub;
    private final HttpServer cdn;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, HubFile> files = new ConcurrentHashMap<>();
    private final Map<String, HubFile> filesById = new ConcurrentHashMap<>();
    private final Set<String> repos = ConcurrentHashMap.newKeySet();
    private final Map<String, String> gatedTokens = new ConcurrentHashMap<>();
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicInteger ids = new AtomicInteger();
    private final String commit = "0123456789abcdef0123456789abcdef01234567";

    private FakeHub() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        hub = HttpServer.create(new InetSocketAddress(loopback, 0), 64);
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 64);
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.start();
        cdn.start();
    }

    public static FakeHub start() {
        try {
            return new FakeHub();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake hub on 127.0.0.1", e);
        }
    }

    /** What HF_ENDPOINT should be set to. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    public URI cdnOrigin() {
        return URI.create("http://127.0.0.1:" + cdn.getAddress().getPort());
    }

    public String commit() {
        return commit;
    }

    public HubFile put(String repoId, String path, byte[] content) {
        return register(repoId, path, HubContent.of(content));
    }

    /** A deterministic pseudo-random file of {@code size} bytes, generated on the fly (no memory for big files). */
    public HubFile putGenerated(String repoId, String path, long size, long seed) {
        return register(repoId, path, HubContent.generated(size, seed));
    }

    private HubFile register(String repoId, String path, HubContent content) {
        HubFile file = new HubFile(repoId, path, content, "f" + ids.incrementAndGet());
        repos.add(repoId);
        files.put(repoId + "/" + path, file);
        filesById.put(file.id, file);
        return file;
    }

    /** The whole content of a registered file, for comparing with what landed on disk. */
    public byte[] bytesOf(HubFile file) {
        var out = new java.io.ByteArrayOutputStream();
        try {
            HubContent.writeAll(file.content, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** The repository answers only requests with {@code Authorization: Bearer token}. */
    public void gate(String repoId, String token) {
        repos.add(repoId);
        gatedTokens.put(repoId, token);
    }

    /** Requests for {@code oldRepoId} get a relative 307 to {@code newRepoId} (as the hub does after a rename). */
    public void rename(String oldRepoId, String newRepoId) {
        renamed.put(oldRepoId, newRepoId);
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public List<Recorded> requests(String server, String method) {
        return requests.stream().filter(r -> r.server().equals(server) && r.method().equals(method)).toList();
    }

    private void hub(HttpExchange ex) throws IOException {
        try (ex) {
            record(HUB, ex);
            String path = ex.getRequestURI().getPath();
            Matcher m = RESOLVE.matcher(path);
            if (!m.matches()) {
                error(ex, 404, "EntryNotFound");
                return;
            }
            String repoId = m.group(1) + "/" + m.group(2);
            String revision = m.group(3);
            String file = m.group(4);
            String target = renamed.get(repoId);
            if (target != null) {
                ex.getResponseHeaders().set("Location", "/" + target + "/resolve/" + revision + "/" + file);
                ex.sendResponseHeaders(307, -1);
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!repos.contains(repoId)) {
                error(ex, auth == null ? 401 : 404, "RepoNotFound"); // the real hub hides private repos from anonymous callers
                return;
            }
            String token = gatedTokens.get(repoId);
            if (token != null && !("Bearer " + token).equals(auth)) {
                error(ex, auth == null ? 401 : 403, "GatedRepo");
                return;
            }
            if (!revision.equals("main") && !revision.equals(commit)) {
                error(ex, 404, "RevisionNotFound");
                return;
            }
            HubFile f = files.get(repoId + "/" + file);
            if (f == null) {
                error(ex, 404, "EntryNotFound");
                return;
            }
            Headers h = ex.getResponseHeaders();
            h.set("X-Repo-Commit", commit);
            if (f.lfs) {
                h.set("X-Linked-Etag", "\"" + f.etagSha256() + "\"");
                h.set("X-Linked-Size", Long.toString(f.linkedSize()));
                h.set("ETag", "\"" + f.etagSha256() + "\"");
                String name = file.substring(file.lastIndexOf('/') + 1);
                h.set("Location", cdnOrigin() + "/cdn/" + f.id + "/" + name + "?X-Amz-Signature=fake" + f.id);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            h.set("ETag", "\"" + f.gitSha1() + "\"");
            serve(ex, f);
        }
    }

    private void cdn(HttpExchange ex) throws IOException {
        try (ex) {
            record(CDN, ex);
            if (ex.getRequestHeaders().containsKey("Authorization")) {
                // S3 refuses a second auth mechanism next to the signed URL: why clients must drop the header.
                byte[] body = "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(400, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            Matcher m = CDN_PATH.matcher(ex.getRequestURI().getPath());
            HubFile f = m.matches() ? filesById.get(m.group(1)) : null;
            if (f == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            serve(ex, f);
        }
    }

    private void serve(HttpExchange ex, HubFile f) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (!head && f.failuresLeft.getAndDecrement() > 0) {
            ex.sendResponseHeaders(f.failStatus, -1);
            return;
        }
        long size = f.size();
        long from = 0;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        Headers h = ex.getResponseHeaders();
        h.set("Accept-Ranges", "bytes");
        if (range != null && !f.ignoreRange) {
            Matcher r = RANGE.matcher(range.strip());
            if (r.matches()) {
                from = Long.parseLong(r.group(1));
                if (from >= size) {
                    h.set("Content-Range", "bytes */" + size);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                h.set("Content-Range", "bytes " + from + "-" + (size - 1) + "/" + size);
            }
        }
        long length = size - from;
        if (head) {
            h.set("Content-Length", Long.toString(length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, length);
        OutputStream out = ex.getResponseBody();
        long cut = f.cutsLeft.getAndDecrement() > 0 ? f.cutAfterBytes : -1;
        long stall = f.stallAfterBytes;
        int chunk = f.throttleChunk;
        long[] sent = {0};
        try {
            f.content.write(from, length, (b, off, len) -> {
                while (len > 0) {
                    int n = len;
                    if (chunk > 0) n = Math.min(n, chunk);
                    if (cut >= 0) n = (int) Math.min(n, cut - sent[0]);
                    if (stall >= 0 && sent[0] < stall) n = (int) Math.min(n, stall - sent[0]);
                    if (n > 0) {
                        out.write(b, off, n);
                        sent[0] += n;
                        off += n;
                        len -= n;
                    }
                    if (cut >= 0 && sent[0] >= cut) {
                        out.flush();
                        throw new CutConnection();
                    }
                    if (stall >= 0 && sent[0] == stall) {
                        out.flush();
                        awaitClose();
                        throw new CutConnection();
                    }
                    if (chunk > 0) {
                        out.flush();
                        pause(f.throttlePause.toMillis());
                    }
                }
            });
        } catch (CutConnection e) {
            // Leaving the handler by an exception makes the JDK server drop the connection mid-body.
            throw new IOException("fake hub cut the connection after " + sent[0] + " bytes");
        }
    }

    private void awaitClose() {
        try {
            closing.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // a deliberately slow server, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class CutConnection extends RuntimeException {
        CutConnection() {
            super(null, null, false, false);
        }
    }

    private void error(HttpExchange ex, int status, String code) throws IOException {
        ex.getResponseHeaders().set("X-Error-Code", code);
        byte[] body = ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private void record(String server, HttpExchange ex) {
        Map<String, List<String>> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), new ArrayList<>(v)));
        String query = ex.getRequestURI().getRawQuery();
        requests.add(new Recorded(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath() + (query == null ? "" : "?" + query), headers));
    }

    @Override
    public void close() {
        closing.countDown();
        hub.stop(0);
        cdn.stop(0);
        executor.shutdownNow();
    }
}
