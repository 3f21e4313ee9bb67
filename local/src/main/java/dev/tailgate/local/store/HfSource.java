package dev.tailgate.local.store;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file on the Hugging Face hub: {@code hf://OWNER/REPO/FILE} or {@code hf://OWNER/REPO@REVISION/FILE}
 * (revision defaults to {@code main}). FILE may contain folders ({@code onnx/model_quantized.onnx}).
 */
public record HfSource(String owner, String repo, String revision, String file) {
    private static final Pattern SOURCE = Pattern.compile("hf://([^/@\\s]+)/([^/@\\s]+)(?:@([^/\\s]+))?/(.+)");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public HfSource {
        if (!NAME.matcher(owner).matches() || !NAME.matcher(repo).matches()) {
            throw new IllegalArgumentException("'" + owner + "/" + repo + "' is not a hub repository name");
        }
        if (file.isBlank() || file.startsWith("/") || file.contains("..") || file.contains("\\")) {
            throw new IllegalArgumentException("'" + file + "' is not a file path inside a repository");
        }
        if (revision.isBlank() || revision.contains("..")) {
            throw new IllegalArgumentException("'" + revision + "' is not a revision");
        }
    }

    public static boolean looksLikeSource(String text) {
        return text != null && text.startsWith("hf://");
    }

    public static HfSource parse(String text) {
        Matcher m = SOURCE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a hub source; expected hf://OWNER/REPO/FILE or hf://OWNER/REPO@REVISION/FILE");
        }
        // A revision with slashes (refs/pr/1) is written percent-encoded: hf://a/b@refs%2Fpr%2F1/file
        String revision = m.group(3) == null ? "main" : URLDecoder.decode(m.group(3), StandardCharsets.UTF_8);
        return new HfSource(m.group(1), m.group(2), revision, m.group(4));
    }

    public String repoId() {
        return owner + "/" + repo;
    }

    /** The last path segment: the default local file name. */
    public String fileName() {
        int slash = file.lastIndexOf('/');
        return slash < 0 ? file : file.substring(slash + 1);
    }

    /** {@code {endpoint}/OWNER/REPO/resolve/REVISION/FILE}, as huggingface_hub's {@code hf_hub_url} builds it. */
    public URI resolveUrl(URI endpoint) {
        String base = endpoint.toString();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        return URI.create(base + "/" + owner + "/" + repo + "/resolve/" + encode(revision) + "/" + encodePath(file));
    }

    @Override
    public String toString() {
        return "hf://" + owner + "/" + repo + ("main".equals(revision) ? "" : "@" + encode(revision)) + "/" + file;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/")) {
            if (!out.isEmpty()) out.append('/');
            out.append(encode(segment));
        }
        return out.toString();
    }
}
