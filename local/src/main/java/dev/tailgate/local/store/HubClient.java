package dev.tailgate.local.store;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Optional;

/**
 * Talks to the hub's resolve endpoint. Redirects are followed by hand so the {@code Authorization} header goes
 * only to the hub's own origin: a same-origin redirect (a renamed repository) keeps it, a redirect to another
 * origin (the LFS CDN, with a signed URL) is where the download happens, without it — as huggingface_hub does in
 * {@code get_hf_file_metadata} / {@code _get_metadata_or_catch_error}.
 */
final class HubClient {
    static final int MAX_REDIRECTS = 5;
    private static final String USER_AGENT = "tailgate/0.1 (model store)";

    private final HttpClient http;
    private final HubAccess access;
    private final PullOptions options;

    HubClient(HttpClient http, HubAccess access, PullOptions options) {
        this.http = http;
        this.access = access;
        this.options = options;
    }

    static HttpClient newHttpClient(PullOptions options) {
        return HttpClient.newBuilder()
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    HubAccess access() {
        return access;
    }

    /** HEAD on the resolve URL: checksum, size, commit and download location. */
    HubFileMetadata metadata(HfSource source) throws PullException {
        URI url = source.resolveUrl(access.endpoint());
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> response = send(request(url, "HEAD").build(), source);
            int status = response.statusCode();
            if (isRedirect(status)) {
                URI target = location(url, response);
                if (HubAccess.sameOrigin(url, target)) {
                    url = target; // renamed repository or revision alias: still the hub, ask again (with the token)
                    continue;
                }
                return describe(source, response, target); // LFS: the CDN location is where the bytes are
            }
            if (status / 100 == 2) return describe(source, response, url);
            throw refusal(source, response);
        }
        throw new PullException(PullException.Kind.HUB, "the hub redirected more than " + MAX_REDIRECTS + " times for " + source);
    }

    HttpRequest.Builder request(URI url, String method) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(options.readIdleTimeout())
                .header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity"); // the size and checksum are of the raw bytes
        access.tokenFor(url).ifPresent(token -> b.header("Authorization", "Bearer " + token));
        return b;
    }

    private HttpResponse<Void> send(HttpRequest request, HfSource source) throws PullException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PullException(PullException.Kind.NETWORK, "interrupted while asking the hub about " + source, e);
        } catch (IOException e) {
            throw networkFailure(request.uri(), e);
        }
    }

    static PullException networkFailure(URI uri, IOException e) {
        String where = uri.getScheme() + "://" + uri.getAuthority();
        String what;
        if (e instanceof HttpConnectTimeoutException) what = "timed out connecting to " + where;
        else if (e instanceof HttpTimeoutException) what = "no answer from " + where + " in time";
        else if (e instanceof ConnectException) what = "cannot connect to " + where + " (offline, or HF_ENDPOINT wrong?)";
        else what = "network error talking to " + where + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        return new PullException(PullException.Kind.NETWORK, what, e);
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static URI location(URI base, HttpResponse<?> response) throws PullException {
        Optional<String> location = response.headers().firstValue("Location");
        if (location.isEmpty()) {
            throw new PullException(PullException.Kind.HUB, "the hub answered " + response.statusCode() + " without a Location");
        }
        try {
            return base.resolve(location.get());
        } catch (IllegalArgumentException e) {
            throw new PullException(PullException.Kind.HUB, "the hub redirected to an invalid location");
        }
    }

    private HubFileMetadata describe(HfSource source, HttpResponse<?> response, URI downloadUrl) throws PullException {
        var headers = response.headers();
        String etag = headers.firstValue("X-Linked-Etag").or(() -> headers.firstValue("ETag")).orElse(null);
        ExpectedChecksum checksum = ExpectedChecksum.fromEtag(etag).orElseThrow(() -> new PullException(PullException.Kind.HUB,
                "the hub gave no usable checksum (X-Linked-Etag/ETag) for " + source + "; refusing a download that cannot be verified"
                        + (access.endpoint().equals(HubAccess.DEFAULT_ENDPOINT) ? "" : " (is HF_ENDPOINT " + access.endpoint() + " a Hugging Face hub?)")));
        long size = headers.firstValue("X-Linked-Size").or(() -> headers.firstValue("Content-Length")).map(HubClient::parseLong).orElse(-1L);
        if (size < 0) {
            throw new PullException(PullException.Kind.HUB, "the hub gave no size (X-Linked-Size/Content-Length) for " + source);
        }
        String commit = headers.firstValue("X-Repo-Commit").orElse(null);
        return new HubFileMetadata(source, checksum, size, commit, downloadUrl);
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Maps a 4xx/5xx from the hub to a message a person can act on (HF names the cause in X-Error-Code). */
    PullException refusal(HfSource source, HttpResponse<?> response) {
        int status = response.statusCode();
        String code = response.headers().firstValue("X-Error-Code").orElse("");
        if (status == 401 || status == 403) {
            if (code.equals("RepoNotFound")) {
                return new PullException(PullException.Kind.NOT_FOUND, "no such repository on the hub: " + source.repoId()
                        + (access.hasToken() ? "" : " (if it is private, set HF_TOKEN)"));
            }
            if (!access.hasToken()) {
                return new PullException(PullException.Kind.NEEDS_TOKEN, "this repository needs a token: set HF_TOKEN (" + source.repoId()
                        + " is gated or private; accept its terms on the hub first) [HTTP " + status + "]");
            }
            return new PullException(PullException.Kind.TOKEN_REFUSED, "the hub refused the token for " + source.repoId() + " [HTTP " + status
                    + "]: check HF_TOKEN is valid and that its account has been granted access to this repository");
        }
        if (status == 404) {
            return switch (code) {
                case "RepoNotFound" -> new PullException(PullException.Kind.NOT_FOUND, "no such repository on the hub: " + source.repoId());
                case "RevisionNotFound" -> new PullException(PullException.Kind.NOT_FOUND,
                        "no such revision on the hub: '" + source.revision() + "' in " + source.repoId());
                default -> new PullException(PullException.Kind.NOT_FOUND, "no such file on the hub: " + source);
            };
        }
        if (status == 429) {
            return new PullException(PullException.Kind.HUB, "the hub is rate limiting this machine [HTTP 429]"
                    + response.headers().firstValue("Retry-After").map(s -> "; retry after " + s + "s").orElse("") + (access.hasToken() ? "" : "; a token (HF_TOKEN) raises the limit"));
        }
        return new PullException(PullException.Kind.HUB, "the hub answered HTTP " + status + " for " + source);
    }
}
