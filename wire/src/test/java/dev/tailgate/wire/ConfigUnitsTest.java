package dev.tailgate.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigUnitsTest {

    @Test
    void durationsParseTheConfigSpellings() {
        assertThat(Durations.parse("120s")).isEqualTo(Duration.ofSeconds(120));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("0")).isZero();
        assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("10m");
    }

    @Test
    void badDurationsSayWhatIsExpected() {
        assertThatThrownBy(() -> Durations.parse("ten minutes")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Durations.parse("10x")).hasMessageContaining("not a duration");
    }

    @Test
    void aBareNumberNeedsAUnit() {
        assertThatThrownBy(() -> Durations.parse("120")).hasMessageContaining("needs a unit").hasMessageContaining("write 120s");
        assertThatThrownBy(() -> Durations.parse("1.5")).hasMessageContaining("write 1.5s");
    }

    @Test
    void sizesParseBinaryAndDecimalUnits() {
        assertThat(ByteSizes.parse("12GiB")).isEqualTo(12L * 1024 * 1024 * 1024);
        assertThat(ByteSizes.parse("512MiB")).isEqualTo(512L * 1024 * 1024);
        assertThat(ByteSizes.parse("10MB")).isEqualTo(10_000_000L);
        assertThat(ByteSizes.parse("4096")).isEqualTo(4096L);
        assertThatThrownBy(() -> ByteSizes.parse("lots")).hasMessageContaining("not a size");
    }

    @Test
    void apiErrorsHaveTheOpenAiShapeAndRetryAfter() {
        ApiError e = ApiError.queueFull("model qwen", 8, Duration.ofMillis(1500));
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.retryAfterHeader()).isEqualTo("2");
        var json = e.toJson();
        assertThat(json.at("/error/code").asText()).isEqualTo("queue_full");
        assertThat(json.at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(json.at("/error").has("param")).isTrue();
        assertThat(ApiError.invalidApiKey().retryAfterHeader()).isNull();
    }
}
