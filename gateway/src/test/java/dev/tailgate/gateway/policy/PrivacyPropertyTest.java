package dev.tailgate.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.health.BreakerSettings;
import dev.tailgate.gateway.health.CircuitBreaker;
import dev.tailgate.gateway.health.HealthRegistry;
import dev.tailgate.testing.MutableClock;
import dev.tailgate.gateway.health.ProviderHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.tailgate.gateway.limit.AdmissionControl;
import dev.tailgate.gateway.limit.ProviderLimits;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

/**
 * The privacy rule under random worlds: random providers (local or not, probed down or not, circuit pre-tripped or
 * Retry-After'd), busy models, random routes (target order, fallback, private flag, context windows), random requests (private by
 * client, header or neither) and random upstream outcomes (success, failure, 429 + Retry-After, cancel) fed back into
 * real circuit breakers while the clock moves. Each plan is executed the way the relay must: candidates in order, each
 * through its breaker, the next only after a failure and only with fallback. A stand-in upstream counts hits.
 */
class PrivacyPropertyTest {

    enum Outcome { SUCCESS, FAILURE, RETRY_AFTER, CANCEL }

    record ProviderSpec(boolean local, boolean probeDown, int preFailures, boolean preRetryAfter, boolean saturated, boolean busy) {}

    record RouteSpec(List<Integer> targets, boolean privateModel, boolean fallback, Integer context) {}

    record RequestSpec(int model, boolean clientPrivate, boolean headerPrivate, int tokens, int advanceSeconds) {}

    @Provide
    Arbitrary<ProviderSpec> provider() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(0, 9).map(i -> i == 0),
                        Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 7).map(i -> i == 0),
                        Arbitraries.integers().between(0, 9).map(i -> i == 0),
                        Arbitraries.integers().between(0, 4).map(i -> i == 0))
                .as(ProviderSpec::new);
    }

    @Provide
    Arbitrary<RouteSpec> route() {
        return Combinators.combine(Arbitraries.integers().between(0, 5).list().ofMinSize(0).ofMaxSize(5).uniqueElements(),
                        Arbitraries.integers().between(0, 4).map(i -> i == 0), Arbitraries.of(true, false),
                        Arbitraries.of(0, 100, 4096, 32768).map(c -> c == 0 ? null : c))
                .as(RouteSpec::new);
    }

    @Provide
    Arbitrary<RequestSpec> request() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 2).map(i -> i == 0),
                        Arbitraries.integers().between(0, 2).map(i -> i == 0), Arbitraries.of(0, 50, 3000, 20000),
                        Arbitraries.of(0, 0, 1, 5, 31, 120))
                .as(RequestSpec::new);
    }

    @Property(tries = 1000)
    void privateRequestsNeverReachAnExternalProviderAndEveryDecisionIsAudited(
            @ForAll @Size(min = 1, max = 6) List<@net.jqwik.api.From("provider") ProviderSpec> providers,
            @ForAll @Size(min = 1, max = 4) List<@net.jqwik.api.From("route") RouteSpec> routes,
            @ForAll @Size(min = 1, max = 25) List<@net.jqwik.api.From("request") RequestSpec> requests,
            @ForAll @Size(min = 1, max = 30) List<Outcome> outcomes) {

        MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
        BreakerSettings settings = new BreakerSettings(2, 0.5, 4, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(5));
        Map<String, Boolean> localByName = new LinkedHashMap<>();
        for (int i = 0; i < providers.size(); i++) localByName.put("p" + i, providers.get(i).local());
        HealthRegistry registry = new HealthRegistry(localByName, settings, clock);

        for (int i = 0; i < providers.size(); i++) {
            ProviderSpec spec = providers.get(i);
            ProviderHealth h = registry.provider("p" + i).orElseThrow();
            for (int f = 0; f < spec.preFailures(); f++) h.begin().ifPresent(CircuitBreaker.Attempt::failure);
            if (spec.preRetryAfter()) h.breaker().retryAfter(Duration.ofSeconds(45));
            if (spec.probeDown()) h.onProbe(ProviderHealth.ProbeResult.down(clock.instant(), "connection refused"));
        }
        // Real limiters: one slot, no queue; a "saturated" provider has its slot taken by someone else.
        Map<String, ProviderLimits> limits = new LinkedHashMap<>();
        for (String name : localByName.keySet()) limits.put(name, new ProviderLimits(1, 0, Duration.ofSeconds(1)));
        AdmissionControl admission = new AdmissionControl(limits, (delay, task) -> () -> {});
        int held = 0;
        for (int i = 0; i < providers.size(); i++) {
            if (providers.get(i).saturated()) {
                admission.acquire("p" + i).join();
                held++;
            }
        }
        HealthView busyModels = (p, m) -> providers.get(Integer.parseInt(p.substring(1))).busy()
                ? TargetHealth.busy("model busy") : TargetHealth.OK;
        HealthView health = registry.and(admission.saturationView()).and(busyModels);

        List<ModelRoute> models = new ArrayList<>();
        for (int r = 0; r < routes.size(); r++) {
            RouteSpec spec = routes.get(r);
            List<RouteTarget> targets = spec.targets().stream()
                    .map(i -> i % providers.size()).distinct()
                    .map(i -> new RouteTarget("p" + i, "m" + i, providers.get(i).local(), spec.context(), Set.of()))
                    .toList();
            models.add(new ModelRoute("model" + r, spec.privateModel(), spec.fallback(), targets));
        }

        AuditLog audit = AuditLog.inMemory(1_000, clock);
        int outcomeAt = 0;
        int externalHitsOfPrivate = 0;
        int externalHits = 0;
        List<String> ids = new ArrayList<>();

        for (int n = 0; n < requests.size(); n++) {
            RequestSpec rs = requests.get(n);
            clock.advance(Duration.ofSeconds(rs.advanceSeconds()));
            ModelRoute route = models.get(rs.model() % models.size());
            RouteRequest req = new RouteRequest("req-" + n, "client", rs.clientPrivate(), rs.headerPrivate(),
                    route.alias(), Capability.CHAT, rs.tokens());
            boolean mustStayLocal = rs.clientPrivate() || rs.headerPrivate() || route.privateModel();

            RoutePlan plan = RoutingPolicy.plan(req, route, health);
            audit.record(plan);
            ids.add(req.requestId());

            // Plan-level rules.
            assertThat(plan.privateRequest()).isEqualTo(mustStayLocal);
            assertThat(plan.candidates().size() + plan.rejected().size()).as("every target is chosen or has a reason")
                    .isEqualTo(route.targets().size());
            if (!route.fallback()) assertThat(plan.candidates()).hasSizeLessThanOrEqualTo(1);
            if (mustStayLocal && !plan.routable()) assertThat(plan.refusal().code()).isEqualTo("no_private_route");
            if (!plan.routable()) assertThat(plan.refusal().retryAfterHeader() != null || plan.refusal().status() == 400).isTrue();

            // Execute the plan as the relay does (RouteAttempts); the stand-in upstream counts hits.
            RouteAttempts tries = new RouteAttempts(plan, registry, admission);
            boolean sent = false;
            while (true) {
                Optional<RouteAttempts.Lease> lease = tries.next().join();
                if (lease.isEmpty()) {
                    if (!sent && mustStayLocal) {
                        assertThat(tries.exhausted().code()).isIn("no_private_route", "queue_full");
                    }
                    break;
                }
                sent = true;
                RouteTarget target = lease.get().target();
                assertThat(plan.permits(target)).isTrue();
                if (!target.local()) {
                    externalHits++;
                    if (mustStayLocal) externalHitsOfPrivate++;
                }
                Outcome o = outcomes.get(outcomeAt++ % outcomes.size());
                switch (o) {
                    case SUCCESS -> lease.get().succeeded();
                    case FAILURE -> lease.get().failed("HTTP 502");
                    case RETRY_AFTER -> lease.get().refused(Duration.ofSeconds(20), "HTTP 429");
                    case CANCEL -> lease.get().cancelled();
                }
                if (o == Outcome.SUCCESS || o == Outcome.CANCEL || !tries.hasMore()) break;
            }
        }

        int inFlight = 0;
        for (String name : localByName.keySet()) inFlight += admission.limiter(name).orElseThrow().inFlight();
        assertThat(inFlight).as("every slot handed out was released").isEqualTo(held);
        assertThat(externalHitsOfPrivate).isZero();
        assertThat(audit.recent(1_000)).extracting(AuditEntry::requestId).containsExactlyElementsOf(ids);
        Statistics.label("external hits").collect(externalHits > 0);
        Statistics.label("private requests").collect(requests.stream().anyMatch(r -> r.clientPrivate() || r.headerPrivate()));
    }
}
