package dev.tailgate.wire.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A config file read as a Jackson tree plus the line of every key (by JSON pointer), so that validation errors can say
 * "gateway.yaml line 12: providers.local.timeout: ...". Both services read their YAML through this one class. A key
 * written twice in one mapping is refused with both lines (YAML parsers otherwise keep the last one silently).
 */
public final class YamlDocument {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(YAML);

    private final String fileName;
    private final JsonNode root;
    private final Map<String, Integer> lines;

    private YamlDocument(String fileName, JsonNode root, Map<String, Integer> lines) {
        this.fileName = fileName;
        this.root = root;
        this.lines = lines;
    }

    /** {@code fileName} is what error messages call the file (the services pass its name or path). */
    public static YamlDocument parse(String fileName, String text) {
        try {
            Map<String, Integer> lines = new HashMap<>();
            try (JsonParser p = YAML.createParser(text)) {
                if (p.nextToken() != null) walk(fileName, p, "", lines);
            }
            JsonNode root = MAPPER.readTree(text);
            if (root == null || root.isMissingNode() || root.isNull()) root = MAPPER.createObjectNode();
            return new YamlDocument(fileName, root, lines);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " line " + at.getLineNr();
            throw new ConfigException(fileName + where + ": not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new ConfigException(fileName + ": cannot read: " + e.getMessage());
        }
    }

    private static void walk(String fileName, JsonParser p, String pointer, Map<String, Integer> lines) throws IOException {
        JsonToken t = p.currentToken();
        lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
        if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String child = pointer + "/" + escape(p.currentName());
                int line = p.currentTokenLocation().getLineNr();
                Integer first = lines.put(child, line);
                if (first != null) {
                    throw new ConfigException(fileName + " line " + line + ": " + keyName(child) + ": written twice (lines " + first
                            + " and " + line + "); keep one");
                }
                p.nextToken();
                walk(fileName, p, child, lines);
            }
        } else if (t == JsonToken.START_ARRAY) {
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                walk(fileName, p, pointer + "/" + i++, lines);
            }
        }
    }

    /** JSON-pointer escaping for key names that contain '/' or '~' (model ids such as {@code org/model}). */
    public static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    public String fileName() {
        return fileName;
    }

    public JsonNode root() {
        return root;
    }

    /** The node at a JSON pointer ({@code /providers/local/timeout}); missing when absent. */
    public JsonNode at(String pointer) {
        JsonNode n = root.at(pointer);
        return n == null ? MissingNode.getInstance() : n;
    }

    /** The line of {@code pointer}, or of its nearest ancestor present in the file. */
    public int lineOf(String pointer) {
        String p = pointer;
        while (true) {
            Integer l = lines.get(p);
            if (l != null) return l;
            int slash = p.lastIndexOf('/');
            if (slash < 0) return 1;
            p = p.substring(0, slash);
        }
    }

    /** {@code /models/qwen/targets/1} → {@code models.qwen.targets[1]}. */
    public static String keyName(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String seg : pointer.split("/")) {
            if (seg.isEmpty()) continue;
            String s = seg.replace("~1", "/").replace("~0", "~");
            if (s.chars().allMatch(Character::isDigit)) sb.append('[').append(s).append(']');
            else {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(s);
            }
        }
        return sb.toString();
    }

    /** "FILE line N: KEY: message" — the one shape of a config refusal. */
    public ConfigException error(String pointer, String message) {
        String key = keyName(pointer);
        return new ConfigException(fileName + " line " + lineOf(pointer) + ": " + (key.isEmpty() ? "" : key + ": ") + message);
    }
}
