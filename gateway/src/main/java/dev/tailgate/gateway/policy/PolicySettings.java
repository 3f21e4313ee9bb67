package dev.tailgate.gateway.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.gateway.config.ClientConfig;
import dev.tailgate.gateway.config.ConfigLoader;
import dev.tailgate.gateway.config.GatewayConfig;
import dev.tailgate.gateway.config.ProviderConfig;
import dev.tailgate.gateway.health.BreakerSettings;
import dev.tailgate.gateway.health.ProbeTarget;
import dev.tailgate.gateway.limit.ClientLimits;
import dev.tailgate.gateway.limit.Pricing;
import dev.tailgate.wire.Durations;
import dev.tailgate.wire.config.YamlDocument;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy-related keys of the gateway config, read from the documents {@link ConfigLoader} already parsed
 * ({@link GatewayConfig#document()} and {@link GatewayConfig#clientsDocument()}): no file is read here, and every
 * refusal is the loader's "FILE line N: key.path: problem". What the loader already typed (a provider's {@code local},
 * the models with their targets, a client's {@code private}) is taken from the typed config.
 *
 * <pre>
 * providers.NAME:  health_check (auto|qwen-status|models|off)          (everything else: config.ConfigLoader)
 * clients.NAME:    rpm, tpm, budget_usd_per_day, budget_usd_per_month (absent/0 = unlimited)
 * pricing:         {MODEL: {input_per_million, output_per_million}}     MODEL = provider/upstream, upstream or alias
 * health:          probe_interval (15s), probe_timeout (5s), consecutive_failures (5), error_rate (0.5),
 *                  min_calls (10), window (60s), cool_down (30s), max_retry_after (10m)
 * audit_log:       JSON-lines decision log (audit.jsonl beside the config; off: memory only);  audit_ring: 1000;
 *                  audit_log_max_size: 64MiB (then rotated to audit_log.1)
 * ledger:          SQLite usage ledger (usage.db beside the config; off: none);  ledger_queue: 10000
 * </pre>
 * Relative paths resolve against the config file's folder. The reference with types and defaults is
 * docs/gateway-config.md; a new key must be added to {@code config.ConfigKeys} and documented there.
 */
public record PolicySettings(Map<String, ProviderPolicy> providers, Map<String, ClientPolicy> clients, Pricing pricing, BreakerSettings breaker,
                             Duration probeInterval, Duration probeTimeout, Path auditLog, int auditRing,
                             Path ledger, int ledgerQueue, long auditMaxBytes) {

    /** The defaults of the keys read here, each in one place (docs/gateway-config.md lists them; DocumentedGatewayConfigTest checks). */
    public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(15);
    public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_AUDIT_RING = 1000;
    public static final int DEFAULT_LEDGER_QUEUE = 10_000;

    public record ProviderPolicy(String name, boolean local, ProbeTarget.Kind healthCheck) {}

    public record ClientPolicy(String name, boolean privateClient, ClientLimits limits) {}

    public static PolicySettings from(GatewayConfig config) {
        YamlDocument doc = config.document();
        Path baseDir = config.source().toAbsolutePath().getParent();
        Map<String, ProviderPolicy> providers = new LinkedHashMap<>();
        for (ProviderConfig p : config.providers().values()) {
            String at = "/providers/" + YamlDocument.escape(p.name()) + "/health_check";
            ProbeTarget.Kind kind;
            try {
                kind = ProbeTarget.Kind.parse(text(doc, at), p.local());
            } catch (IllegalArgumentException ex) {
                throw doc.error(at, ex.getMessage());
            }
            providers.put(p.name(), new ProviderPolicy(p.name(), p.local(), kind));
        }

        Map<String, ClientPolicy> clients = new LinkedHashMap<>();
        for (ClientConfig c : config.clients().values()) {
            String at = "/clients/" + YamlDocument.escape(c.name());
            // a client is defined in exactly one of the two files (the loader refuses a name in both)
            YamlDocument d = doc.at(at).isMissingNode() && config.clientsDocument() != null ? config.clientsDocument() : doc;
            clients.put(c.name(), new ClientPolicy(c.name(), c.privateOnly(), new ClientLimits(
                    integer(d, at + "/rpm", 0, 0), integer(d, at + "/tpm", 0, 0),
                    money(d, at + "/budget_usd_per_day"), money(d, at + "/budget_usd_per_month"))));
        }

        Map<String, Pricing.Price> prices = new LinkedHashMap<>();
        for (String model : mapping(doc, "/pricing")) {
            String at = "/pricing/" + YamlDocument.escape(model);
            if (!doc.at(at).isObject()) throw doc.error(at, "must be a mapping with input_per_million and output_per_million");
            Double in = money(doc, at + "/input_per_million");
            Double out = money(doc, at + "/output_per_million");
            prices.put(model, new Pricing.Price(in == null ? 0 : in, out == null ? 0 : out));
        }

        mapping(doc, "/health");
        BreakerSettings d = BreakerSettings.DEFAULTS;
        double errorRate = number(doc, "/health/error_rate", d.errorRate());
        if (!(errorRate > 0 && errorRate <= 1)) throw doc.error("/health/error_rate", "must be in (0, 1]");
        BreakerSettings breaker = new BreakerSettings(integer(doc, "/health/consecutive_failures", d.consecutiveFailures(), 1),
                errorRate, integer(doc, "/health/min_calls", d.minCallsInWindow(), 1),
                duration(doc, "/health/window", d.window(), true), duration(doc, "/health/cool_down", d.coolDown(), false),
                duration(doc, "/health/max_retry_after", d.maxRetryAfter(), true));

        return new PolicySettings(providers, clients, new Pricing(prices), breaker,
                duration(doc, "/health/probe_interval", DEFAULT_PROBE_INTERVAL, true),
                duration(doc, "/health/probe_timeout", DEFAULT_PROBE_TIMEOUT, true),
                file(doc, "/audit_log", baseDir, PolicyRuntime.DEFAULT_AUDIT_LOG), integer(doc, "/audit_ring", DEFAULT_AUDIT_RING, 1),
                file(doc, "/ledger", baseDir, PolicyRuntime.DEFAULT_LEDGER), integer(doc, "/ledger_queue", DEFAULT_LEDGER_QUEUE, 1),
                size(doc, "/audit_log_max_size", AuditLog.DEFAULT_MAX_BYTES));
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

    // ---- small typed readers: every error is the document's "FILE line N: key.path: problem" ----

    /** The keys of the mapping at {@code at}; none when absent. */
    private static List<String> mapping(YamlDocument doc, String at) {
        JsonNode n = doc.at(at);
        if (n.isMissingNode() || n.isNull()) return List.of();
        if (!n.isObject()) throw doc.error(at, "must be a mapping of keys");
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static int integer(YamlDocument doc, String at, int dflt, int min) {
        JsonNode v = doc.at(at);
        if (v.isMissingNode() || v.isNull()) return dflt;
        long x;
        if (v.isIntegralNumber()) x = v.longValue();
        else if (v.isTextual() && v.asText().trim().matches("\\d{1,9}")) x = Long.parseLong(v.asText().trim());
        else throw doc.error(at, "must be a whole number");
        if (x < min || x > Integer.MAX_VALUE) throw doc.error(at, "must be at least " + min);
        return (int) x;
    }

    private static double number(YamlDocument doc, String at, double dflt) {
        JsonNode v = doc.at(at);
        if (v.isMissingNode() || v.isNull()) return dflt;
        if (v.isNumber()) return v.doubleValue();
        try {
            return Double.parseDouble(v.asText().trim());
        } catch (NumberFormatException e) {
            throw doc.error(at, "must be a number");
        }
    }

    private static Double money(YamlDocument doc, String at) {
        JsonNode v = doc.at(at);
        if (v.isMissingNode() || v.isNull()) return null;
        double x = number(doc, at, 0);
        if (x < 0 || Double.isNaN(x) || Double.isInfinite(x)) throw doc.error(at, "must be >= 0");
        return x == 0 && at.contains("/budget") ? null : x;
    }

    private static String text(YamlDocument doc, String at) {
        JsonNode v = doc.at(at);
        if (v.isMissingNode() || v.isNull()) return null;
        if (!v.isValueNode()) throw doc.error(at, "must be a single value");
        return v.asText();
    }

    private static Duration duration(YamlDocument doc, String at, Duration dflt, boolean positive) {
        String s = text(doc, at);
        if (s == null) return dflt;
        Duration d;
        try {
            d = Durations.parse(s);
        } catch (IllegalArgumentException e) {
            throw doc.error(at, e.getMessage());
        }
        if (positive && d.isZero()) throw doc.error(at, "must be longer than 0");
        return d;
    }

    private static long size(YamlDocument doc, String at, long dflt) {
        String s = text(doc, at);
        if (s == null) return dflt;
        long v;
        try {
            v = dev.tailgate.wire.ByteSizes.parse(s);
        } catch (IllegalArgumentException e) {
            throw doc.error(at, e.getMessage());
        }
        if (v < 1024) throw doc.error(at, "must be at least 1KiB");
        return v;
    }

    /** The configured path, {@code dflt} in the config's folder when the key is absent, null when "off". */
    private static Path file(YamlDocument doc, String at, Path baseDir, String dflt) {
        JsonNode v = doc.at(at);
        if (v.isMissingNode()) return baseDir.resolve(dflt);
        if (!v.isNull() && !v.isValueNode()) throw doc.error(at, "must be a path or off");
        String s = v.isBoolean() ? String.valueOf(v.booleanValue()) : v.asText("").trim();
        if (s.isEmpty() || s.equals("off") || s.equals("false") || s.equals("none")) return null; // YAML 1.1: bare off = false
        if (s.startsWith("~/")) s = System.getProperty("user.home") + s.substring(1);
        Path p = Path.of(s);
        return p.isAbsolute() ? p : baseDir.resolve(p);
    }
}
