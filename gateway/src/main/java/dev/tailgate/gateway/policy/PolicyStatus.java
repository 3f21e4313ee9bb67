package dev.tailgate.gateway.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.health.HealthRegistry;
import dev.tailgate.wire.Json;
import java.util.List;

/**
 * The policy side of {@code GET /status} and the admin audit endpoint, as JSON. Holds names, states and counts only:
 * never a key (providers' keys are not even reachable from here).
 */
public final class PolicyStatus {
    private PolicyStatus() {}

    /** Overall status from the providers: ok when all healthy, unavailable when none can take work, else degraded. */
    public static String overall(HealthRegistry health) {
        List<HealthRegistry.ProviderSnapshot> all = health.snapshot();
        if (all.isEmpty()) return "unavailable";
        long healthy = all.stream().filter(p -> p.state() == dev.tailgate.gateway.health.HealthState.HEALTHY).count();
        long usable = all.stream().filter(p -> p.state() == dev.tailgate.gateway.health.HealthState.HEALTHY
                || p.state() == dev.tailgate.gateway.health.HealthState.DEGRADED).count();
        return healthy == all.size() ? "ok" : usable == 0 ? "unavailable" : "degraded";
    }

    /** The last {@code max} routing decisions, oldest first, for {@code GET /admin/policy} (fields: docs/status.md). */
    public static ArrayNode audit(AuditLog log, int max) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        log.recent(max).forEach(e -> out.add(e.toJson()));
        return out;
    }
}
