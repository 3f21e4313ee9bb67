package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.config.Target;
import com.fasterxml.jackson.core.JsonGenerator;
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

    /** The entry as {@link #jsonLine()} writes it, as a tree (for {@code /admin/policy}). */
    public ObjectNode toJson() {
        return (ObjectNode) Json.parse(jsonLine());
    }

    /**
     * The audit file's line for this entry, newline included. Written straight with a generator: building a tree and
     * serialising it was a measurable part of every request's CPU.
     */
    public byte[] jsonLine() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", time.toString());
            g.writeStringField("request_id", requestId);
            g.writeStringField("client", client);
            g.writeStringField("model", model);
            g.writeBooleanField("private", privateRequest);
            g.writeStringField("chosen", chosen);
            g.writeArrayFieldStart("candidates");
            for (String c : candidates) g.writeString(c);
            g.writeEndArray();
            g.writeArrayFieldStart("rejected");
            for (Rejected x : rejected) {
                g.writeStartObject();
                g.writeStringField("target", x.target());
                g.writeStringField("reason", x.reason());
                g.writeStringField("detail", x.detail());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("refusal", refusal);
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        out.write('\n');
        return out.toByteArray();
    }
}
