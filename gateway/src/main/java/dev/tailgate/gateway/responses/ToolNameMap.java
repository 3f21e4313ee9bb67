package dev.tailgate.gateway.responses;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Remembers, for one request, how each Responses tool was presented to a chat-completions upstream, so that the
 * upstream's {@code tool_calls} map back to the right Responses item: a freeform ({@code custom}) tool was offered as
 * a function with a single string parameter {@code input} and its calls must come back as {@code custom_tool_call};
 * a tool inside a {@code namespace} was flattened to one function name and must come back with its namespace.
 * Chat function names are limited to {@code [A-Za-z0-9_-]{1,64}}, so names are sanitised and made unique here.
 * Stateless across requests: Codex sends every tool with every turn, and the map is rebuilt from them.
 */
public final class ToolNameMap {

    /** Whether calls of a tool are {@code function_call} or {@code custom_tool_call} items. */
    public enum Kind { FUNCTION, CUSTOM }

    /** A tool as the Responses client knows it. {@code namespace} is null for top-level tools. */
    public record ToolRef(Kind kind, String namespace, String name) {}

    private static final Pattern INVALID = Pattern.compile("[^A-Za-z0-9_-]");
    private static final int MAX_NAME = 64;

    private final Map<String, ToolRef> byChatName = new HashMap<>();
    private final Map<ToolRef, String> byRef = new HashMap<>();

    /** The chat function name for {@code ref}, registering it on first use (same ref → same name). */
    public String chatName(ToolRef ref) {
        String known = byRef.get(ref);
        if (known != null) return known;
        String base = sanitize(joined(ref.namespace(), ref.name()));
        String candidate = base;
        for (int n = 2; byChatName.containsKey(candidate); n++) {
            String suffix = "_" + n;
            candidate = (base.length() + suffix.length() > MAX_NAME ? base.substring(0, MAX_NAME - suffix.length()) : base) + suffix;
        }
        byChatName.put(candidate, ref);
        byRef.put(ref, candidate);
        return candidate;
    }

    /**
     * The Responses tool behind a chat function name. A name the client never offered (a model inventing a tool)
     * comes back as a plain function of that name, so the client can answer "unknown tool" itself.
     */
    public ToolRef resolve(String chatName) {
        ToolRef ref = byChatName.get(chatName);
        return ref != null ? ref : new ToolRef(Kind.FUNCTION, null, chatName == null ? "" : chatName);
    }

    private static String joined(String namespace, String name) {
        if (namespace == null || namespace.isEmpty()) return name;
        // Codex's MCP namespaces already end in "__" (mcp__server__); don't double the separator.
        return namespace.endsWith("_") ? namespace + name : namespace + "__" + name;
    }

    private static String sanitize(String name) {
        String clean = INVALID.matcher(name == null ? "" : name).replaceAll("_");
        if (clean.isEmpty()) clean = "tool";
        if (clean.length() <= MAX_NAME) return clean;
        // Keep a readable prefix and make the rest unique with a short hash of the full name.
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return clean.substring(0, MAX_NAME - 9) + "_" + HexFormat.of().formatHex(digest, 0, 4);
    }
}
