package dev.tailgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.config.ProviderConfig;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which upstream statuses the client sees as they are (503, 429: "come back later") and which become 502. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamErrorStatusTest {
    static final SecretScrubber NO_SECRETS = SecretScrubber.of(java.util.List.of());
    static final ProviderConfig LOCAL = new ProviderConfig("local", URI.create("http://127.0.0.1:1/v1"), null, null, true,
            1, 8, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), false, false, 64L << 20);

    static Buffer body(String code, String message) {
        return Buffer.buffer("{\"error\":{\"message\":\"" + message + "\",\"type\":\"api_error\",\"param\":null,\"code\":\"" + code + "\"}}");
    }

    @Test
    void anUpstream503KeepsItsStatusCodeMessageAndRetryAfter() {
        UpstreamFailure f = UpstreamErrors.fromResponse(NO_SECRETS, LOCAL, 503,
                body("unavailable", "model file missing: run ./tailgate models pull qwen"), "7");
        assertThat(f.error().status()).isEqualTo(503);
        assertThat(f.error().code()).isEqualTo("unavailable");
        assertThat(f.error().message()).contains("provider 'local'").contains("./tailgate models pull qwen");
        assertThat(f.error().retryAfterHeader()).isEqualTo("7");
        assertThat(f.retryable()).as("another target may serve it").isTrue();
    }

    @Test
    void anUpstream503WithoutRetryAfterStillSaysWhenToRetry() {
        UpstreamFailure f = UpstreamErrors.fromResponse(NO_SECRETS, LOCAL, 503, Buffer.buffer("down"), null);
        assertThat(f.error().status()).isEqualTo(503);
        assertThat(f.error().code()).isEqualTo("unavailable");
        assertThat(f.error().retryAfterHeader()).isEqualTo("1");
    }

    @Test
    void anUpstream429KeepsItsStatusAndRetryAfter() {
        UpstreamFailure f = UpstreamErrors.fromResponse(NO_SECRETS, LOCAL, 429, body("queue_full", "busy"), "3");
        assertThat(f.error().status()).isEqualTo(429);
        assertThat(f.error().code()).isEqualTo("queue_full");
        assertThat(f.error().retryAfterHeader()).isEqualTo("3");
    }

    @Test
    void otherUpstream5xxBecome502() {
        for (int status : new int[] {500, 502, 504}) {
            UpstreamFailure f = UpstreamErrors.fromResponse(NO_SECRETS, LOCAL, status, body("x", "boom"), "5");
            assertThat(f.error().status()).as("HTTP %d", status).isEqualTo(502);
            assertThat(f.error().code()).isEqualTo("upstream_error");
            assertThat(f.retryable()).isTrue();
        }
    }

    @Test
    void onlyAWellFormedOpenAiRefusalCountsAsDeliberate() {
        assertThat(UpstreamErrors.fromResponse(NO_SECRETS, LOCAL, 503, body("unavailable", "model file missing"), "1").deliberateRefusal())
                .isTrue();
        assertThat(UpstreamErrors.fromResponse(NO_SECRETS, LOCAL, 429, body("queue_full", "busy"), "1").deliberateRefusal()).isTrue();
        assertThat(UpstreamErrors.fromResponse(NO_SECRETS, LOCAL, 503, Buffer.buffer("<html>bad gateway</html>"), null).deliberateRefusal())
                .as("a proxy's HTML error page says nothing about a model").isFalse();
        assertThat(UpstreamErrors.fromResponse(NO_SECRETS, LOCAL, 500, body("internal", "boom"), null).deliberateRefusal()).isFalse();
    }
}
