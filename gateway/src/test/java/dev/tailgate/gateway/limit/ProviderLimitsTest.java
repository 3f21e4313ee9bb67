package dev.tailgate.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ProviderLimitsTest {
    /** Timers that never fire: these tests are about slots, not queue timeouts. */
    private static final Timers NEVER = (delay, task) -> () -> {};

    @Test
    void aLocalProviderLimitsEachUpstreamModelOnItsOwn() {
        ProviderLimits local = new ProviderLimits("local", true, 1, 1, Duration.ofSeconds(30), NEVER);
        CompletableFuture<Permit> chat = local.acquire("qwen");
        CompletableFuture<Permit> chatQueued = local.acquire("qwen");
        assertThat(local.acquire("qwen")).as("qwen: 1 in flight + 1 queued, the third is refused").isCompletedExceptionally();
        // the chat model being full does not hold up the embeddings model
        assertThat(local.acquire("minilm")).isCompleted().isNotCompletedExceptionally();
        assertThat(local.inFlight()).isEqualTo(2);
        assertThat(local.queued()).isEqualTo(1);
        chat.join().release();
        assertThat(chatQueued).isCompleted();
    }

    @Test
    void aHostedProviderSharesOneLimiterAcrossModels() {
        ProviderLimits hosted = new ProviderLimits("deepseek", false, 1, 0, Duration.ofSeconds(30), NEVER);
        assertThat(hosted.acquire("chat")).isCompleted().isNotCompletedExceptionally();
        assertThat(hosted.acquire("embed")).isCompletedExceptionally();
        hosted.mirror(Map.of("embed", new ProviderLimits.UpstreamLimits(4, 4)));
        assertThat(hosted.acquire("embed")).as("a hosted provider's limits are its config's only").isCompletedExceptionally();
    }

    @Test
    void reportedLimitsLetThroughWhatTheModelAcceptsAndKeepTheGatewayQueue() {
        ProviderLimits local = new ProviderLimits("local", true, 2, 3, Duration.ofSeconds(30), NEVER);
        List<CompletableFuture<Permit>> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) held.add(local.acquire("minilm"));
        assertThat(held.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally())).as("the default before a report").hasSize(2);
        // qwen-local says: 1 running + 8 queued → up to 9 in flight from the gateway; waiting ones are admitted at once
        local.mirror(Map.of("minilm", new ProviderLimits.UpstreamLimits(1, 8)));
        assertThat(held).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        for (int i = 0; i < 4; i++) held.add(local.acquire("minilm"));
        assertThat(local.limiter("minilm").maxConcurrency()).isEqualTo(9);
        assertThat(local.inFlight()).isEqualTo(9);
        for (int i = 0; i < 3; i++) assertThat(local.acquire("minilm")).isNotDone(); // the gateway's own queue (max_queue 3)
        assertThat(local.acquire("minilm")).isCompletedExceptionally();
        // a model reported later starts with its reported cap; a reload keeps reported caps and takes the new queue
        local.mirror(Map.of("qwen", new ProviderLimits.UpstreamLimits(2, 0)));
        assertThat(local.limiter("qwen").maxConcurrency()).isEqualTo(2);
        local.reconfigure(1, 10);
        assertThat(local.limiter("minilm").maxConcurrency()).isEqualTo(9);
        assertThat(local.limiter("minilm").maxQueue()).isEqualTo(10);
        assertThat(local.limiter("other").maxConcurrency()).as("unreported: the configured default").isEqualTo(1);
    }
}
