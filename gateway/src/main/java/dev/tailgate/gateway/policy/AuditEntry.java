package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.config.Target;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.wire.Json;
import java.time.Instant;
import java.util.List;

/**
 * One routing decision as the audit log keeps it. Holds no prompt text and no key: only names, flags and reasons.
 *
 * @param chosen  the first candidate ({@code provider/upstream-model}), null when the request was refused
 * @param refusal the refusal's error code (e.g. {@code no_private_route}), null when routed
 */
public record AuditEntry(Instant time, String requestId, String client, String model, boolean privateRequest,
                         String chosen, List<String> candidates, List<Rejected> rejected, String refusal) {

    public record Rejected(String target, String reason, String detail) {}

    public static AuditEntry of(Instant time, RoutePlan plan) {
        RouteRequest r = plan.request();
        return new AuditEntry(time, r.requestId(), r.client(), plan.modelAlias(), plan.privateRequest(),
                plan.chosen().map(Target::id).orElse(null),
                plan.candidates().stream().map(Target::id).toList(),
                plan.rejected().stream().map(x -> new Rejected(x.target().id(), x.reason().code(), x.detail())).toList(),
                plan.refusal() == null ? null : plan.refusal().code());
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("time", time.toString());
        o.put("request_id", requestId);
        o.put("client", client);
        o.put("model", model);
        o.put("private", privateRequest);
        o.put("chosen", chosen);
        ArrayNode c = o.putArray("candidates");
        candidates.forEach(c::add);
        ArrayNode rej = o.putArray("rejected");
        for (Rejected x : rejected) {
            rej.addObject().put("target", x.target()).put("reason", x.reason()).put("detail", x.detail());
        }
        o.put("refusal", refusal);
        return o;
    }
}
