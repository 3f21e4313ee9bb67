package dev.tailgate.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tailgate.wire.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The gateway's clients file ({@code clients: NAME: {key_sha256, private, models}}), read and rewritten by
 * {@code tailgate keys}. Rewrites are atomic (temp file + rename) and serialised by a lock file, so two
 * {@code keys create} at once cannot lose an entry. Unknown fields of an entry survive a rewrite; comments do not.
 */
public final class ClientsFile {
    static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Set<String> YAML_WORDS =
            Set.of("true", "false", "yes", "no", "on", "off", "null", "y", "n");
    private static final String HEADER = """
            # Tailgate client keys. Only SHA-256 hashes of the keys are stored; each key was printed once when created.
            # Managed by `./tailgate keys create|list|rm`; hand edits are fine (comments in this file are not kept).
            """;

    private final Path file;
    private final Map<String, JsonNode> otherKeys = new LinkedHashMap<>();
    private final Map<String, ObjectNode> clients = new LinkedHashMap<>();

    private ClientsFile(Path file) {
        this.file = file;
    }

    /** One client as {@code keys list} shows it. {@code keyRef} is a short, non-secret hint of how the key is given. */
    public record Client(String name, boolean isPrivate, boolean admin, List<String> models, String keyRef) {}

    public static void validateName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new UserError("client name '" + name + "' is not allowed: use 1-64 letters, digits, '.', '_' or '-'",
                    Main.USAGE);
        }
    }

    /** Reads the file; a missing file is an empty one. */
    public static ClientsFile load(Path file) {
        ClientsFile cf = new ClientsFile(file);
        if (!Files.exists(file)) return cf;
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new UserError("clients file " + file + " is not valid YAML" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserError("cannot read clients file " + file + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) return cf;
        if (!root.isObject()) throw new UserError("clients file " + file + " must be a mapping with a 'clients:' key");
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("clients")) cf.otherKeys.put(e.getKey(), e.getValue());
        }
        JsonNode cs = root.get("clients");
        if (cs == null || cs.isNull()) return cf;
        if (!cs.isObject()) throw new UserError("'clients' in " + file + " must be a mapping of NAME: {key_sha256: ...}");
        for (Iterator<Map.Entry<String, JsonNode>> it = cs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isObject()) {
                throw new UserError("client '" + e.getKey() + "' in " + file + " must be a mapping (key_sha256, private, models)");
            }
            cf.clients.put(e.getKey(), (ObjectNode) e.getValue());
        }
        return cf;
    }

    /** Load, change, save: under an exclusive lock so concurrent {@code keys} commands serialise. */
    public static void update(Path file, Consumer<ClientsFile> change) {
        Path lockFile = file.toAbsolutePath().resolveSibling("." + file.getFileName() + ".lock");
        // The file lock serialises processes; the monitor serialises threads of this JVM (a second lock
        // attempt from the same JVM would throw OverlappingFileLockException instead of waiting).
        synchronized (ClientsFile.class) {
            try {
                Files.createDirectories(lockFile.getParent());
                try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock ignored = ch.lock()) {
                    ClientsFile cf = load(file);
                    change.accept(cf);
                    cf.save();
                }
            } catch (IOException e) {
                throw new UserError("cannot update clients file " + file + ": " + e.getMessage());
            }
        }
    }

    public Path file() {
        return file;
    }

    public boolean contains(String name) {
        return clients.containsKey(name);
    }

    /**
     * {@code admin}: written as {@code admin: true} only when set, so ordinary entries stay as they were.
     * {@code keysFlag}: what a printed {@code keys} command needs to edit this same file ({@link ClientsLocation#flag()}).
     */
    public void add(String name, String keySha256, boolean isPrivate, boolean admin, List<String> models, String keysFlag) {
        validateName(name);
        if (clients.containsKey(name)) {
            throw new UserError("a client named '" + name + "' already exists in " + file
                    + "; pick another name or remove it first with: tailgate keys rm " + name + keysFlag);
        }
        ObjectNode entry = Json.object();
        entry.put("key_sha256", keySha256);
        entry.put("private", isPrivate);
        if (admin) entry.put("admin", true);
        ArrayNode ms = entry.putArray("models");
        models.forEach(ms::add);
        clients.put(name, entry);
    }

    public void remove(String name) {
        if (clients.remove(name) == null) {
            throw new UserError("no client named '" + name + "' in " + file);
        }
    }

    public List<Client> clients() {
        List<Client> out = new ArrayList<>();
        clients.forEach((name, e) -> {
            List<String> models = new ArrayList<>();
            JsonNode ms = e.get("models");
            if (ms != null && ms.isArray()) ms.forEach(m -> models.add(m.asText()));
            else if (ms != null && ms.isTextual()) models.add(ms.asText());
            else models.add("*");
            out.add(new Client(name, e.path("private").asBoolean(false), e.path("admin").asBoolean(false), models, keyRef(e)));
        });
        return out;
    }

    /** The stored hash of a client's key, or null. */
    public String keySha256(String name) {
        ObjectNode e = clients.get(name);
        return e == null || !e.hasNonNull("key_sha256") ? null : e.get("key_sha256").asText();
    }

    /** A hint that identifies the key without revealing it: a hash prefix or the env:/file: reference. */
    private static String keyRef(ObjectNode e) {
        if (e.hasNonNull("key_sha256")) {
            String h = e.get("key_sha256").asText();
            return "sha256:" + h.substring(0, Math.min(8, h.length())) + "…";
        }
        if (e.hasNonNull("key")) {
            String k = e.get("key").asText();
            return k.startsWith("env:") || k.startsWith("file:") ? k : "(key given inline)";
        }
        return "(no key)";
    }

    void save() throws IOException {
        AtomicFiles.write(file, render());
    }

    /** Block YAML at the top, one flow mapping per client: diff-friendly, and each line a whole client. */
    String render() {
        StringBuilder sb = new StringBuilder(HEADER);
        otherKeys.forEach((k, v) -> sb.append(key(k)).append(": ").append(flow(v)).append('\n'));
        if (clients.isEmpty()) {
            sb.append("clients: {}\n");
        } else {
            sb.append("clients:\n");
            clients.forEach((k, v) -> sb.append("  ").append(key(k)).append(": ").append(flow(v)).append('\n'));
        }
        return sb.toString();
    }

    private static String key(String k) {
        return PLAIN_KEY.matcher(k).matches() && !YAML_WORDS.contains(k.toLowerCase(java.util.Locale.ROOT))
                ? k
                : Json.string(k);
    }

    /** YAML flow style; strings use JSON quoting, which is valid YAML double-quoted syntax. */
    private static String flow(JsonNode n) {
        if (n.isObject()) {
            StringBuilder sb = new StringBuilder("{");
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                sb.append(key(e.getKey())).append(": ").append(flow(e.getValue()));
                if (it.hasNext()) sb.append(", ");
            }
            return sb.append('}').toString();
        }
        if (n.isArray()) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) sb.append(", ");
                sb.append(flow(n.get(i)));
            }
            return sb.append(']').toString();
        }
        if (n.isTextual()) return Json.string(n.asText());
        return n.toString(); // numbers, booleans, null
    }
}
