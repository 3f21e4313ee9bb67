package dev.tailgate.gateway.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.health.BreakerSettings;
import dev.tailgate.gateway.health.ProbeTarget;
import dev.tailgate.gateway.limit.ClientLimits;
import dev.tailgate.gateway.limit.Pricing;
import dev.tailgate.wire.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policy-related keys of the gateway config, read from the parsed YAML tree (the config loader owns the file,
 * secrets and line numbers; this reads only the keys below and names the key path in every error).
 *
 * <pre>
 * providers.NAME:  local, health_check (auto|qwen-status|models|off)   (limits and timeouts: config.ConfigLoader)
 * models.ALIAS:    targets, fallback (false), private (false), capability (chat), context_windows {provider/model: tokens}
 * clients.NAME:    private (false), rpm, tpm, budget_usd_per_day, budget_usd_per_month (absent/0 = unlimited)
 * pricing:         {MODEL: {input_per_million, output_per_million}}     MODEL = provider/upstream, upstream or alias
 * health:          probe_interval (15s), probe_timeout (5s), consecutive_failures (5), error_rate (0.5),
 *                  min_calls (10), window (60s), cool_down (30s), max_retry_after (10m)
 * audit_log:       path of the JSON-lines decision log (absent: memory only);  audit_ring: 1000;
 *                  audit_log_max_size: 64MiB (then rotated to audit_log.1)
 * ledger:          path of the SQLite usage ledger (absent: no ledger);      ledger_queue: 10000
 * </pre>
 * Relative paths resolve against the config file's folder. The reference with types and defaults is
 * docs/gateway-config.md; a new key must be added to {@code config.ConfigKeys} and documented there.
 */
public record PolicySettings(Map<String, ProviderPolicy> providers, Map<String, ModelRoute> models,
                             Map<String, ClientPolicy> clients, Pricing pricing, BreakerSettings breaker,
                             Duration probeInterval, Duration probeTimeout, Path auditLog, int auditRing,
                             Path ledger, int ledgerQueue, long auditMaxBytes) {

    public record ProviderPolicy(String name, boolean local, ProbeTarget.Kind healthCheck) {}

    public record ClientPolicy(String name, boolean privateClient, ClientLimits limits) {}

    /** @param baseDir folder relative paths resolve against (the config file's folder) */
    public static PolicySettings from(JsonNode root, Path baseDir) {
        Map<String, ProviderPolicy> providers = new LinkedHashMap<>();
        for (var e : fields(root, "providers")) {
            String at = "providers." + e.getKey();
            JsonNode p = e.getValue();
            boolean local = bool(p, "local", false, at);
            ProbeTarget.Kind kind;
            try {
                kind = ProbeTarget.Kind.parse(text(p, "health_check", null, at), local);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(at + ".health_check: " + ex.getMessage());
            }
            providers.put(e.getKey(), new ProviderPolicy(e.getKey(), local, kind));
        }

        Map<String, ModelRoute> models = new LinkedHashMap<>();
        for (var e : fields(root, "models")) {
            String at = "models." + e.getKey();
            JsonNode m = e.getValue();
            Capability cap;
            try {
                cap = Capability.parse(text(m, "capability", "chat", at));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(at + ".capability: " + ex.getMessage());
            }
            JsonNode contexts = m.path("context_windows");
            List<RouteTarget> targets = new ArrayList<>();
            JsonNode list = m.path("targets");
            if (!list.isArray() || list.isEmpty()) throw new IllegalArgumentException(at + ".targets: a list of provider/upstream-model is required");
            for (JsonNode t : list) {
                String spec = t.asText();
                RouteTarget parsed;
                try {
                    parsed = RouteTarget.parse(spec, false, null, null);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(at + ".targets: " + ex.getMessage());
                }
                ProviderPolicy provider = providers.get(parsed.provider());
                if (provider == null) throw new IllegalArgumentException(at + ".targets: unknown provider '" + parsed.provider() + "'");
                JsonNode ctx = contexts.get(spec);
                if (ctx != null && (!ctx.canConvertToInt() || ctx.asInt() < 1)) {
                    throw new IllegalArgumentException(at + ".context_windows." + spec + ": must be a positive number of tokens");
                }
                targets.add(new RouteTarget(parsed.provider(), parsed.upstreamModel(), provider.local(),
                        ctx == null ? null : ctx.asInt(), Set.of(cap)));
            }
            models.put(e.getKey(), new ModelRoute(e.getKey(), bool(m, "private", false, at), bool(m, "fallback", false, at), targets));
        }

        Map<String, ClientPolicy> clients = new LinkedHashMap<>();
        for (var e : fields(root, "clients")) {
            String at = "clients." + e.getKey();
            JsonNode c = e.getValue();
            clients.put(e.getKey(), new ClientPolicy(e.getKey(), bool(c, "private", false, at), new ClientLimits(
                    integer(c, "rpm", 0, 0, at), integer(c, "tpm", 0, 0, at),
                    money(c, "budget_usd_per_day", at), money(c, "budget_usd_per_month", at))));
        }

        Map<String, Pricing.Price> prices = new LinkedHashMap<>();
        for (var e : fields(root, "pricing")) {
            String at = "pricing." + e.getKey();
            Double in = money(e.getValue(), "input_per_million", at);
            Double out = money(e.getValue(), "output_per_million", at);
            prices.put(e.getKey(), new Pricing.Price(in == null ? 0 : in, out == null ? 0 : out));
        }

        JsonNode h = root.path("health");
        BreakerSettings d = BreakerSettings.DEFAULTS;
        BreakerSettings breaker;
        try {
            breaker = new BreakerSettings(integer(h, "consecutive_failures", d.consecutiveFailures(), 1, "health"),
                    number(h, "error_rate", d.errorRate(), "health"), integer(h, "min_calls", d.minCallsInWindow(), 1, "health"),
                    duration(h, "window", d.window(), true, "health"), duration(h, "cool_down", d.coolDown(), false, "health"),
                    duration(h, "max_retry_after", d.maxRetryAfter(), true, "health"));
        } catch (IllegalArgumentException ex) {
            throw ex.getMessage().startsWith("health.") ? ex : new IllegalArgumentException("health: " + ex.getMessage());
        }

        return new PolicySettings(providers, models, clients, new Pricing(prices), breaker,
                duration(h, "probe_interval", Duration.ofSeconds(15), true, "health"),
                duration(h, "probe_timeout", Duration.ofSeconds(5), true, "health"),
                path(root, "audit_log", baseDir), integer(root, "audit_ring", 1000, 1, ""),
                path(root, "ledger", baseDir), integer(root, "ledger_queue", 10_000, 1, ""),
                size(root, "audit_log_max_size", AuditLog.DEFAULT_MAX_BYTES));
    }

    public Map<String, Boolean> providerLocalFlags() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        providers.forEach((k, v) -> m.put(k, v.local()));
        return m;
    }

    public Map<String, ClientLimits> clientLimits() {
        Map<String, ClientLimits> m = new LinkedHashMap<>();
        clients.forEach((k, v) -> m.put(k, v.limits()));
        return m;
    }

    // ---- small typed readers: every error names the key path ----

    private static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode root, String key) {
        JsonNode n = root.path(key);
        if (n.isMissingNode() || n.isNull()) return List.of();
        if (!n.isObject()) throw new IllegalArgumentException(key + ": must be a mapping");
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isObject()) throw new IllegalArgumentException(key + "." + e.getKey() + ": must be a mapping");
            out.add(e);
        }
        return out;
    }

    private static String where(String at, String key) {
        return at.isEmpty() ? key : at + "." + key;
    }

    private static boolean bool(JsonNode n, String key, boolean dflt, String at) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) return Boolean.parseBoolean(v.asText());
        throw new IllegalArgumentException(where(at, key) + ": must be true or false");
    }

    private static int integer(JsonNode n, String key, int dflt, int min, String at) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt;
        long x;
        if (v.isIntegralNumber()) x = v.longValue();
        else if (v.isTextual() && v.asText().trim().matches("\\d{1,9}")) x = Long.parseLong(v.asText().trim());
        else throw new IllegalArgumentException(where(at, key) + ": must be a whole number");
        if (x < min || x > Integer.MAX_VALUE) throw new IllegalArgumentException(where(at, key) + ": must be at least " + min);
        return (int) x;
    }

    private static double number(JsonNode n, String key, double dflt, String at) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isNumber()) return v.doubleValue();
        try {
            return Double.parseDouble(v.asText().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where(at, key) + ": must be a number");
        }
    }

    private static Double money(JsonNode n, String key, String at) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        double x = number(n, key, 0, at);
        if (x < 0 || Double.isNaN(x) || Double.isInfinite(x)) throw new IllegalArgumentException(where(at, key) + ": must be >= 0");
        return x == 0 && key.startsWith("budget") ? null : x;
    }

    private static String text(JsonNode n, String key, String dflt, String at) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt;
        if (!v.isValueNode()) throw new IllegalArgumentException(where(at, key) + ": must be a single value");
        return v.asText();
    }

    private static Duration duration(JsonNode n, String key, Duration dflt, boolean positive, String at) {
        String s = text(n, key, null, at);
        if (s == null) return dflt;
        Duration d;
        try {
            d = Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where(at, key) + ": " + e.getMessage());
        }
        if (positive && d.isZero()) throw new IllegalArgumentException(where(at, key) + ": must be longer than 0");
        return d;
    }

    private static long size(JsonNode n, String key, long dflt) {
        String s = text(n, key, null, "");
        if (s == null) return dflt;
        long v;
        try {
            v = dev.tailgate.wire.ByteSizes.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
        if (v < 1024) throw new IllegalArgumentException(key + ": must be at least 1KiB");
        return v;
    }

    private static Path path(JsonNode n, String key, Path baseDir) {
        String s = text(n, key, null, "");
        if (s == null || s.isBlank()) return null;
        if (s.startsWith("~/")) s = System.getProperty("user.home") + s.substring(1);
        Path p = Path.of(s);
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
    }
}
