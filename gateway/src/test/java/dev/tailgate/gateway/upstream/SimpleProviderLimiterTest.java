package dev.tailgate.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.ApiException;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

class SimpleProviderLimiterTest {

    @Test
    void admitsUpToTheLimitQueuesBoundedAndRefusesWithRetryAfter() {
        SimpleProviderLimiter l = new SimpleProviderLimiter("p", 2, 1);
        Future<ProviderLimiter.Permit> a = l.acquire(), b = l.acquire(), c = l.acquire(), d = l.acquire();
        assertThat(a.succeeded() && b.succeeded()).isTrue();
        assertThat(c.isComplete()).isFalse();
        assertThat(d.failed()).isTrue();
        ApiException e = (ApiException) d.cause();
        assertThat(e.error().status()).isEqualTo(429);
        assertThat(e.error().code()).isEqualTo("queue_full");
        assertThat(e.error().retryAfterHeader()).isNotNull();
        assertThat(l.inFlight()).isEqualTo(2);
        assertThat(l.queued()).isEqualTo(1);

        a.result().release();
        a.result().release(); // double release is ignored
        assertThat(c.succeeded()).isTrue();
        assertThat(l.inFlight()).isEqualTo(2);
        assertThat(l.queued()).isZero();
        b.result().release();
        c.result().release();
        assertThat(l.inFlight()).isZero();
    }

    @Test
    void raisingTheLimitAdmitsWaiters() {
        SimpleProviderLimiter l = new SimpleProviderLimiter("p", 1, 5);
        l.acquire();
        Future<ProviderLimiter.Permit> w = l.acquire();
        assertThat(w.isComplete()).isFalse();
        l.reconfigure(2, 5);
        assertThat(w.succeeded()).isTrue();
        assertThat(l.inFlight()).isEqualTo(2);
    }
}
