package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.config.Capability;
import dev.tailgate.gateway.config.ModelRoute;
import dev.tailgate.gateway.config.Target;
import dev.tailgate.gateway.health.TargetHealth;
import dev.tailgate.gateway.health.HealthView;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tailgate.wire.Json;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RoutingPolicyTest {
    private static final Target LOCAL = new Target("local", "qwen2.5-0.5b", true, 4096, Set.of(Capability.CHAT));
    private static final Target DEEPSEEK = Target.of("deepseek", "deepseek-chat", false);
    private static final Target OPENROUTER = Target.of("openrouter", "qwen-72b", false);

    private static RouteRequest req(boolean clientPrivate, boolean headerPrivate, long tokens) {
        return new RouteRequest("r1", "laptop", clientPrivate, headerPrivate, "qwen", Capability.CHAT, tokens);
    }

    private static ModelRoute route(boolean priv, boolean fallback, Target... targets) {
        return new ModelRoute("qwen", List.of(targets), fallback, priv);
    }

    private static HealthView down(String provider) {
        return (p, m) -> p.equals(provider) ? TargetHealth.unusable("provider down: connection refused") : TargetHealth.OK;
    }

    @Test
    void plainRequestKeepsConfiguredOrderWithFallback() {
        RoutePlan plan = RoutingPolicy.plan(req(false, false, 10), route(false, true, LOCAL, DEEPSEEK, OPENROUTER), HealthView.ALL_HEALTHY);
        assertThat(plan.candidates()).containsExactly(LOCAL, DEEPSEEK, OPENROUTER);
        assertThat(plan.rejected()).isEmpty();
        assertThat(plan.chosen()).contains(LOCAL);
        assertThat(plan.privateRequest()).isFalse();
    }

    @Test
    void withoutFallbackOnlyTheFirstTargetIsACandidate() {
        RoutePlan plan = RoutingPolicy.plan(req(false, false, 10), route(false, false, LOCAL, DEEPSEEK), HealthView.ALL_HEALTHY);
        assertThat(plan.candidates()).containsExactly(LOCAL);
        assertThat(plan.rejected()).singleElement().satisfies(r -> {
            assertThat(r.target()).isEqualTo(DEEPSEEK);
            assertThat(r.reason()).isEqualTo(RejectReason.FALLBACK_DISABLED);
        });
    }

    @Test
    void withoutFallbackAnUnhealthyFirstTargetMeansNoRoute() {
        RoutePlan plan = RoutingPolicy.plan(req(false, false, 10), route(false, false, LOCAL, DEEPSEEK), down("local"));
        assertThat(plan.routable()).isFalse();
        assertThat(plan.refusal().status()).isEqualTo(503);
        assertThat(plan.refusal().code()).isEqualTo("unavailable");
        assertThat(plan.refusal().retryAfterHeader()).isEqualTo("5");
    }

    @Test
    void unhealthyLocalFallsBackToExternalForAPlainRequest() {
        RoutePlan plan = RoutingPolicy.plan(req(false, false, 10), route(false, true, LOCAL, DEEPSEEK), down("local"));
        assertThat(plan.candidates()).containsExactly(DEEPSEEK);
        assertThat(plan.rejected()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.UNHEALTHY);
            assertThat(r.detail()).contains("connection refused");
        });
    }

    @Test
    void promptLargerThanLocalContextSkipsLocal() {
        RoutePlan plan = RoutingPolicy.plan(req(false, false, 5000), route(false, true, LOCAL, DEEPSEEK), HealthView.ALL_HEALTHY);
        assertThat(plan.candidates()).containsExactly(DEEPSEEK);
        assertThat(plan.rejected().getFirst().reason()).isEqualTo(RejectReason.CONTEXT_TOO_SMALL);
    }

    @Test
    void promptLargerThanEveryContextIsAClientError() {
        RoutePlan plan = RoutingPolicy.plan(req(false, false, 5000), route(false, true, LOCAL), HealthView.ALL_HEALTHY);
        assertThat(plan.refusal().status()).isEqualTo(400);
        assertThat(plan.refusal().code()).isEqualTo("context_length_exceeded");
    }

    @Test
    void missingCapabilitySkipsTheTarget() {
        RouteRequest embed = new RouteRequest("r", "c", false, false, "qwen", Capability.EMBEDDINGS, 3);
        RoutePlan plan = RoutingPolicy.plan(embed, route(false, true, LOCAL, DEEPSEEK), HealthView.ALL_HEALTHY);
        assertThat(plan.candidates()).containsExactly(DEEPSEEK);
        assertThat(plan.rejected().getFirst().reason()).isEqualTo(RejectReason.CAPABILITY_MISSING);
    }

    @Test
    void privateClientHeaderOrModelAllKeepTheRequestLocal() {
        for (RoutePlan plan : List.of(
                RoutingPolicy.plan(req(true, false, 10), route(false, true, DEEPSEEK, LOCAL), HealthView.ALL_HEALTHY),
                RoutingPolicy.plan(req(false, true, 10), route(false, true, DEEPSEEK, LOCAL), HealthView.ALL_HEALTHY),
                RoutingPolicy.plan(req(false, false, 10), route(true, true, DEEPSEEK, LOCAL), HealthView.ALL_HEALTHY))) {
            assertThat(plan.privateRequest()).isTrue();
            assertThat(plan.candidates()).containsExactly(LOCAL);
            assertThat(plan.rejected()).singleElement()
                    .satisfies(r -> assertThat(r.reason()).isEqualTo(RejectReason.EXTERNAL_PROVIDER_FOR_PRIVATE));
        }
    }

    @Test
    void privateRequestWithLocalDownGetsNoPrivateRouteEvenWithFallback() {
        RoutePlan plan = RoutingPolicy.plan(req(false, true, 10), route(false, true, LOCAL, DEEPSEEK, OPENROUTER), down("local"));
        assertThat(plan.candidates()).isEmpty();
        assertThat(plan.refusal().status()).isEqualTo(503);
        assertThat(plan.refusal().code()).isEqualTo("no_private_route");
        assertThat(plan.refusal().retryAfterHeader()).isNotNull();
        assertThat(plan.permits(DEEPSEEK)).isFalse();
    }

    @Test
    void privateRequestTooLargeForLocalIsStillNoPrivateRoute() {
        RoutePlan plan = RoutingPolicy.plan(req(true, false, 99_999), route(false, true, LOCAL, DEEPSEEK), HealthView.ALL_HEALTHY);
        assertThat(plan.refusal().code()).isEqualTo("no_private_route");
    }

    @Test
    void privateModelWithoutLocalTargetsIsNoPrivateRoute() {
        RoutePlan plan = RoutingPolicy.plan(req(false, false, 1), route(true, true, DEEPSEEK), HealthView.ALL_HEALTHY);
        assertThat(plan.refusal().code()).isEqualTo("no_private_route");
    }

    @Test
    void aThrowingHealthViewIsReadAsUnusableNotHealthy() {
        HealthView broken = (p, m) -> {
            throw new IllegalStateException("boom");
        };
        RoutePlan plan = RoutingPolicy.plan(req(false, false, 1), route(false, true, LOCAL), broken);
        assertThat(plan.routable()).isFalse();
        assertThat(plan.rejected().getFirst().detail()).isEqualTo("health check failed");
    }

    @Test
    void aPrivatePlanCannotHoldAnExternalTarget() {
        assertThatThrownBy(() -> new RoutePlan(req(true, false, 1), "qwen", true, List.of(DEEPSEEK), List.of(), null))
                .isInstanceOf(IllegalStateException.class);
    }

    private static HealthView busy(String provider) {
        return (p, m) -> p.equals(provider) ? TargetHealth.busy("model busy") : TargetHealth.OK;
    }

    @Test
    void aBusyLocalModelMovesToTheEndInsteadOfAway() {
        RoutePlan plan = RoutingPolicy.plan(req(false, false, 10), route(false, true, LOCAL, DEEPSEEK), busy("local"));
        assertThat(plan.candidates()).containsExactly(DEEPSEEK, LOCAL);
    }

    @Test
    void aPrivateRequestWaitsForItsBusyLocalModelRatherThanBeingRefused() {
        RoutePlan plan = RoutingPolicy.plan(req(true, false, 10), route(false, true, LOCAL, DEEPSEEK), busy("local"));
        assertThat(plan.candidates()).containsExactly(LOCAL);
        RoutePlan strict = RoutingPolicy.plan(req(false, false, 10), route(false, false, LOCAL, DEEPSEEK), busy("local"));
        assertThat(strict.candidates()).containsExactly(LOCAL);
    }

    @Test
    void promptTokensAreCharsOverFourOverMessageText() {
        JsonNode chat = Json.parse("""
                {"model":"qwen","messages":[{"role":"system","content":"12345678"},
                 {"role":"user","content":[{"type":"text","text":"abcd"},{"type":"image_url","image_url":{"url":"x"}}]}]}""");
        assertThat(PromptTokens.estimate(chat)).isEqualTo(3); // 12 chars
        assertThat(PromptTokens.estimate(Json.parse("{\"input\":[\"abc\",\"de\"]}"))).isEqualTo(2); // 5 chars -> 2
        assertThat(PromptTokens.estimate(Json.parse("{\"model\":\"x\"}"))).isZero();
    }

    /** An agent's tool definitions and its past calls are prompt too: Claude Code sends ~40 KB of tools. */
    @Test
    void toolDefinitionsAndAssistantToolCallsCountAsTheirJsonText() {
        String tools = "[{\"type\":\"function\",\"function\":{\"name\":\"Bash\",\"description\":\"" + "x".repeat(40_000) + "\"}}]";
        JsonNode agent = Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":" + tools + "}");
        assertThat(PromptTokens.estimate(agent)).isEqualTo((2 + tools.length() + 3) / 4);
        String calls = "[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]";
        JsonNode history = Json.parse("{\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":" + calls + "}]}");
        assertThat(PromptTokens.estimate(history)).isEqualTo((calls.length() + 3) / 4);

        // so a prompt whose tools alone overflow a small local context skips that target
        RoutePlan plan = RoutingPolicy.plan(req(false, false, PromptTokens.estimate(agent)), route(false, true, LOCAL, DEEPSEEK),
                HealthView.ALL_HEALTHY);
        assertThat(plan.candidates()).containsExactly(DEEPSEEK);
    }
}
