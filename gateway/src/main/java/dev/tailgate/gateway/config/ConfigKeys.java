package dev.tailgate.gateway.config;

import java.util.HashSet;
import java.util.Set;

/**
 * Every key the gateway config may contain, by section. Unknown keys are refused (a typo must not silently fall back
 * to a default), so a package that reads its own keys from {@link GatewayConfig#document()} lists them here. A key added
 * here must be documented in docs/gateway-config.md (type, default, meaning): DocumentedGatewayConfigTest fails until
 * the page lists exactly these sets.
 */
public final class ConfigKeys {
    private ConfigKeys() {}

    /** Read by {@link ConfigLoader}. */
    static final Set<String> CORE_TOP = Set.of("listen", "providers", "models", "clients", "clients_file", "max_body", "body_budget", "log_prompts",
            "max_response", "client_timeout", "cors_origins");
    static final Set<String> CORE_PROVIDER = Set.of("base_url", "api_key", "local", "max_concurrency", "max_queue", "queue_timeout", "timeout",
            "first_token_timeout", "idle_timeout", "responses_api", "messages_api", "max_response");
    static final Set<String> CORE_MODEL = Set.of("targets", "fallback", "private");
    static final Set<String> CORE_CLIENT = Set.of("key", "key_sha256", "private", "models", "admin");

    /** Read by the routing-policy packages ({@code policy}, {@code health}, {@code limit}, {@code ledger}) from {@link GatewayConfig#document()}. */
    static final Set<String> POLICY_TOP = Set.of("pricing", "health", "audit_log", "audit_ring", "audit_log_max_size", "ledger", "ledger_queue");
    static final Set<String> POLICY_PROVIDER = Set.of("health_check");
    static final Set<String> POLICY_MODEL = Set.of("capability", "context_windows");
    static final Set<String> POLICY_CLIENT = Set.of("rpm", "tpm", "budget_usd_per_day", "budget_usd_per_month");

    public static final Set<String> TOP = union(CORE_TOP, POLICY_TOP);
    public static final Set<String> PROVIDER = union(CORE_PROVIDER, POLICY_PROVIDER);
    public static final Set<String> MODEL = union(CORE_MODEL, POLICY_MODEL);
    public static final Set<String> CLIENT = union(CORE_CLIENT, POLICY_CLIENT);

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }
}
