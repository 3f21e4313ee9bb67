package dev.tailgate.local.store;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the hub is and how to authenticate to it. The token is sent only to the endpoint's own origin
 * (scheme, host and port): LFS files redirect to a CDN with signed URLs, which must never see it.
 */
public final class HubAccess {
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    private final URI endpoint;
    private final String token;

    public HubAccess(URI endpoint, String token) {
        this.endpoint = Objects.requireNonNull(endpoint);
        this.token = token == null || token.isBlank() ? null : token.strip();
    }

    /**
     * {@code HF_ENDPOINT} (default https://huggingface.co); the token from {@code HF_TOKEN}, else the file named by
     * {@code HF_TOKEN_PATH}, else {@code $HF_HOME/token}, else {@code ~/.cache/huggingface/token} — the places
     * huggingface_hub looks.
     */
    public static HubAccess from(Env env) {
        URI endpoint = env.get("HF_ENDPOINT").map(HubAccess::endpointUri).orElse(DEFAULT_ENDPOINT);
        String token = env.get("HF_TOKEN").orElseGet(() -> tokenFile(env).flatMap(HubAccess::readToken).orElse(null));
        return new HubAccess(endpoint, token);
    }

    private static URI endpointUri(String text) {
        URI uri = URI.create(text.strip());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("HF_ENDPOINT '" + text + "' is not an http(s) URL");
        }
        return uri;
    }

    private static Optional<Path> tokenFile(Env env) {
        Optional<Path> explicit = env.get("HF_TOKEN_PATH").map(Path::of);
        if (explicit.isPresent()) return explicit;
        Path hfHome = env.get("HF_HOME").map(Path::of).orElse(env.userHome().resolve(".cache").resolve("huggingface"));
        return Optional.of(hfHome.resolve("token"));
    }

    private static Optional<String> readToken(Path file) {
        try {
            if (!Files.isRegularFile(file)) return Optional.empty();
            String text = Files.readString(file).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException | SecurityException e) {
            return Optional.empty(); // an unreadable token file is the same as none; the hub will say if one is needed
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public boolean hasToken() {
        return token != null;
    }

    /** The bearer token for {@code target}, only when it is on the endpoint's origin. */
    Optional<String> tokenFor(URI target) {
        return token != null && sameOrigin(endpoint, target) ? Optional.of(token) : Optional.empty();
    }

    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) return uri.getPort();
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** Never the token itself: this object may end up in a log line or an exception message. */
    @Override
    public String toString() {
        return "HubAccess[" + endpoint + (token == null ? ", no token" : ", token set") + "]";
    }
}
