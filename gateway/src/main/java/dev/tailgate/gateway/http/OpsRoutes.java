package dev.tailgate.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.gateway.Gateway;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.upstream.ProviderState;
import dev.tailgate.wire.Json;
import io.vertx.core.http.HttpMethod;
import java.util.function.Supplier;

/**
 * {@code /health}, {@code /status}, {@code /metrics}: no key needed, and nothing in them is secret. Without an admin
 * key {@code /status} is a summary (up/degraded and counts); provider names, targets, errors, routing counts and
 * qwen-local's models need an admin key ({@link AdminGate}); a key that is not valid is refused (401). Shapes: docs/endpoints.md,
 * docs/status.md.
 */
public final class OpsRoutes {
    private final Gateway gateway;
    private final Supplier<Boolean> draining;
    private final AdminGate adminGate;

    public OpsRoutes(Gateway gateway, Supplier<Boolean> draining, AdminGate adminGate) {
        this.gateway = gateway;
        this.draining = draining;
        this.adminGate = adminGate;
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
        AdminGate.Check check = adminGate.check(ex.request());
        if (check.verdict() == AdminGate.Verdict.INVALID_KEY) {
            ex.fail(dev.tailgate.wire.ApiError.invalidApiKey());
            return;
        }
        ObjectNode detail = detail();
        if (check.admin()) {
            ex.json(200, detail);
            return;
        }
        ObjectNode o = Json.object();
        o.put("status", detail.path("status").asText());
        int healthy = 0;
        for (var p : detail.path("providers")) if (p.path("state").asText().equals("healthy")) healthy++;
        o.put("in_flight", detail.path("in_flight").asLong());
        ObjectNode counts = o.putObject("counts");
        counts.put("providers", detail.path("providers").size());
        counts.put("providers_healthy", healthy);
        counts.put("models", detail.path("models").size());
        o.put("detail", "summary only: names, routes, errors and local models need an admin key"
                + " (./tailgate keys create NAME --admin)");
        ex.json(200, o);
    }

    /** Everything an admin sees: providers with state, breaker, limits and last error; models; routing; qwen-local. */
    public ObjectNode detail() {
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
        if (policy != null) {
            o.set("routing", policy.decisionSummary(1000));
            ObjectNode local = o.putObject("local");
            policy.prober().localStatus().forEach(local::set);
        }
        return o;
    }

    private void metrics(Exchange ex) {
        // off the event loop: a scrape serialises every series, and /health must not wait behind it
        gateway.vertx().executeBlocking(gateway.metrics()::scrape, false).onComplete(ar -> {
            if (ar.failed()) {
                ex.fail(dev.tailgate.gateway.ApiException.of(ar.cause()));
                return;
            }
            ex.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
        });
    }
}
