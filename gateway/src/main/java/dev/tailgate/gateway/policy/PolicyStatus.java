package dev.tailgate.gateway.policy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.health.HealthRegistry;
import dev.tailgate.gateway.health.ModelStatus;
import dev.tailgate.gateway.limit.AdmissionControl;
import dev.tailgate.gateway.limit.ProviderLimiter;
import dev.tailgate.wire.Json;
import java.util.List;

/**
 * The policy side of {@code GET /status} and the admin audit endpoint, as JSON. Holds names, states and counts only:
 * never a key (providers' keys are not even reachable from here).
 */
public final class PolicyStatus {
    private PolicyStatus() {}

    /** {@code [{"name","local","state","in_flight","queued","last_error","breaker","models":[{"id","state","reason"}]}]} */
    public static ArrayNode providers(HealthRegistry health, AdmissionControl admission) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (HealthRegistry.ProviderSnapshot p : health.snapshot()) {
            ObjectNode o = out.addObject();
            o.put("name", p.name());
            o.put("local", p.local());
            o.put("state", p.state().wireName());
            var limiter = admission.limiter(p.name());
            o.put("in_flight", limiter.map(ProviderLimiter::inFlight).orElse(0));
            o.put("queued", limiter.map(ProviderLimiter::queued).orElse(0));
            o.put("last_error", p.lastError());
            o.put("breaker", p.breaker().name().toLowerCase(java.util.Locale.ROOT));
            ArrayNode models = o.putArray("models");
            for (ModelStatus m : p.models()) {
                ObjectNode mo = models.addObject();
                mo.put("id", m.id());
                mo.put("state", m.state());
                if (m.reason() != null) mo.put("reason", m.reason());
            }
        }
        return out;
    }

    /** Overall status from the providers: ok when all healthy, unavailable when none can take work, else degraded. */
    public static String overall(HealthRegistry health) {
        List<HealthRegistry.ProviderSnapshot> all = health.snapshot();
        if (all.isEmpty()) return "unavailable";
        long healthy = all.stream().filter(p -> p.state() == dev.tailgate.gateway.health.ProviderState.HEALTHY).count();
        long usable = all.stream().filter(p -> p.state() == dev.tailgate.gateway.health.ProviderState.HEALTHY
                || p.state() == dev.tailgate.gateway.health.ProviderState.DEGRADED).count();
        return healthy == all.size() ? "ok" : usable == 0 ? "unavailable" : "degraded";
    }

    /** The last {@code max} routing decisions, oldest first, for {@code GET /admin/audit}. */
    public static ArrayNode audit(AuditLog log, int max) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        log.recent(max).forEach(e -> out.add(e.toJson()));
        return out;
    }
}
