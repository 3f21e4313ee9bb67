package dev.tailgate.gateway.config;

import java.util.Set;

/**
 * Every key the gateway config may contain, by section; {@link ConfigLoader} refuses any other (a typo must not
 * silently fall back to a default), naming file, line and key. Some are read by the loader itself, the others by the
 * routing policy from {@link GatewayConfig#document()} ({@code policy.PolicySettings}); a package that reads a new key
 * lists it here. A key added here must be documented in docs/gateway-config.md (type, default, meaning):
 * DocumentedGatewayConfigTest fails until the page lists exactly these sets.
 */
public final class ConfigKeys {
    private ConfigKeys() {}

    public static final Set<String> TOP = Set.of("listen", "providers", "models", "clients", "clients_file", "max_body",
            "body_budget", "log_prompts", "max_response", "client_timeout", "cors_origins",
            "pricing", "health", "audit_log", "audit_ring", "audit_log_max_size", "ledger", "ledger_queue");
    public static final Set<String> PROVIDER = Set.of("base_url", "api_key", "local", "max_concurrency", "max_queue",
            "queue_timeout", "timeout", "first_token_timeout", "idle_timeout", "responses_api", "messages_api", "max_response",
            "health_check");
    public static final Set<String> MODEL = Set.of("targets", "fallback", "private", "capability", "context_windows");
    public static final Set<String> CLIENT = Set.of("key", "key_sha256", "private", "models", "admin",
            "rpm", "tpm", "budget_usd_per_day", "budget_usd_per_month");
    /** Under {@code health:}: the breaker and the probes. */
    public static final Set<String> HEALTH = Set.of("probe_interval", "probe_timeout", "consecutive_failures", "error_rate",
            "min_calls", "window", "cool_down", "max_retry_after");
    /** Under each {@code pricing.MODEL:}. */
    public static final Set<String> PRICE = Set.of("input_per_million", "output_per_million");
    /** The clients file's top level. */
    public static final Set<String> CLIENTS_FILE = Set.of("clients");
}
