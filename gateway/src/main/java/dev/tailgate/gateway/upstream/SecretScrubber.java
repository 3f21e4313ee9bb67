package dev.tailgate.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ProviderConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one scrubber for text that came from an upstream and is relayed to a client, logged or stored: every string field
 * of an upstream error (message, type, param, code, any string inside an error event) passes through it. It removes
 * every configured provider key (and any 12+ character piece of one: providers echo partial keys), and anything shaped
 * like a credential whoever it belongs to: {@code Bearer <token>} and {@code sk-…} tokens.
 */
public final class SecretScrubber {
    public static final String REDACTED = "[redacted]";
    /** What the ledger stores instead of an error code that is not a plain identifier. */
    public static final String UNLISTED_CODE = "unlisted_upstream_code";
    private static final int MAX_TEXT = 500;
    private static final int MIN_PIECE = 12;
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+[^\\s\"',;]+");
    private static final Pattern SK_TOKEN = Pattern.compile("(?<![A-Za-z0-9])sk-[A-Za-z0-9_\\-]{4,}");
    private static final Pattern CODE_SHAPE = Pattern.compile("[a-z0-9_.-]{1,64}");

    private final List<String> secrets;

    private SecretScrubber(List<String> secrets) {
        this.secrets = secrets;
    }

    /** Scrubs the keys of every provider in {@code config}. */
    public static SecretScrubber of(GatewayConfig config) {
        return of(config.providers().values());
    }

    public static SecretScrubber of(java.util.Collection<ProviderConfig> providers) {
        List<String> keys = new ArrayList<>();
        for (ProviderConfig p : providers) {
            if (p.apiKey() != null && !p.apiKey().reveal().isEmpty()) keys.add(p.apiKey().reveal());
        }
        keys.sort(Comparator.comparingInt(String::length).reversed());
        return new SecretScrubber(List.copyOf(keys));
    }

    /** {@code text} without secrets or credential-shaped tokens, cut to 500 characters; null stays null. */
    public String scrub(String text) {
        if (text == null) return null;
        String t = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text;
        for (String k : secrets) {
            if (t.contains(k)) t = t.replace(k, REDACTED);
            for (int len = Math.min(k.length() - 1, 24); len >= MIN_PIECE; len--) {
                for (int i = 0; i + len <= k.length(); i++) {
                    String piece = k.substring(i, i + len);
                    if (t.contains(piece)) t = t.replace(piece, REDACTED);
                }
            }
        }
        t = BEARER.matcher(t).replaceAll("Bearer " + REDACTED);
        return SK_TOKEN.matcher(t).replaceAll(REDACTED);
    }

    /** A copy of {@code node} with every string value (at any depth) scrubbed. */
    public JsonNode scrubStrings(JsonNode node) {
        if (node == null) return null;
        if (node.isTextual()) return TextNode.valueOf(scrub(node.textValue()));
        if (node instanceof ObjectNode o) {
            ObjectNode copy = o.objectNode();
            for (Map.Entry<String, JsonNode> e : o.properties()) copy.set(e.getKey(), scrubStrings(e.getValue()));
            return copy;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode copy = a.arrayNode();
            for (JsonNode n : a) copy.add(scrubStrings(n));
            return copy;
        }
        return node;
    }

    /**
     * What the ledger may store as an error code: a plain identifier ({@code [a-z0-9_.-]{1,64}}) that held no secret,
     * else {@link #UNLISTED_CODE}. The ledger is on disk for a long time; an upstream's free text never goes there.
     */
    public String ledgerCode(String code) {
        if (code == null) return null;
        return CODE_SHAPE.matcher(code).matches() && scrub(code).equals(code) ? code : UNLISTED_CODE;
    }
}
