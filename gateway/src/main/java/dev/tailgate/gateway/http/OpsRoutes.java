package dev.tailgate.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.upstream.ProviderState;
import dev.tailgate.wire.Json;
import io.vertx.core.http.HttpMethod;
import java.util.function.Supplier;

/** {@code /health}, {@code /status}, {@code /metrics}: no key needed, and nothing in them is secret. */
public final class OpsRoutes {
    private final Gateway gateway;
    private final Supplier<Boolean> draining;

    public OpsRoutes(Gateway gateway, Supplier<Boolean> draining) {
        this.gateway = gateway;
        this.draining = draining;
    }

    public void register(GatewayRouter router) {
        router.open(HttpMethod.GET, "/health", this::health);
        router.open(HttpMethod.GET, "/status", this::status);
        router.open(HttpMethod.GET, "/metrics", this::metrics);
    }

    private void health(Exchange ex) {
        ObjectNode o = Json.object();
        if (draining.get()) {
            o.put("status", "unavailable").put("reason", "shutting down");
            ex.json(503, o);
        } else {
            o.put("status", "ok");
            ex.json(200, o);
        }
    }

    private void status(Exchange ex) {
        ObjectNode o = Json.object();
        ArrayNode providers = Json.MAPPER.createArrayNode();
        boolean allHealthy = true;
        var policy = gateway.policy();
        for (ProviderState p : gateway.providers().all()) {
            ObjectNode n = providers.addObject();
            n.put("name", p.config().name());
            n.put("local", p.config().local());
            // with the policy: healthy|degraded|down|open from breakers and probes; a key that did not resolve is down
            var health = policy == null ? null : policy.provider(p.config().name()).orElse(null);
            String state = health == null || p.config().keyProblem() != null ? p.state() : health.state().wireName();
            if (!state.equals("healthy")) allHealthy = false;
            n.put("state", state);
            if (health != null) n.put("breaker", health.breaker().name().toLowerCase(java.util.Locale.ROOT));
            n.put("in_flight", p.limits().inFlight());
            n.put("queued", p.limits().queued());
            n.put("max_concurrency", p.config().maxConcurrency());
            n.put("max_queue", p.config().maxQueue());
            if (p.limits().perModel()) { // a local provider: one limiter per upstream model, mirroring its own limits
                ObjectNode per = n.putObject("models");
                p.limits().models().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> per.putObject(e.getKey())
                        .put("in_flight", e.getValue().inFlight()).put("queued", e.getValue().queued())
                        .put("max_concurrency", e.getValue().maxConcurrency()).put("max_queue", e.getValue().maxQueue()));
            }
            String err = p.config().keyProblem() != null ? p.config().keyProblem()
                    : health != null && health.lastError() != null ? health.lastError() : p.lastError();
            if (err == null) n.putNull("last_error"); else n.put("last_error", err);
            if (p.lastErrorAt() != null) n.put("last_error_at", p.lastErrorAt().toString());
        }
        ArrayNode models = Json.MAPPER.createArrayNode();
        for (ModelRoute r : gateway.config().models().values()) {
            ObjectNode m = models.addObject();
            m.put("id", r.alias());
            ArrayNode t = m.putArray("targets");
            r.targets().forEach(x -> t.add(x.toString()));
            m.put("fallback", r.fallback());
            m.put("private", r.privateOnly());
        }
        o.put("status", draining.get() ? "unavailable" : allHealthy ? "ok" : "degraded");
        o.set("providers", providers);
        o.set("models", models);
        o.put("in_flight", gateway.metrics().inFlight());
        if (policy != null) o.set("routing", policy.decisionSummary(1000));
        ex.json(200, o);
    }

    private void metrics(Exchange ex) {
        ex.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(gateway.metrics().scrape());
    }
}
