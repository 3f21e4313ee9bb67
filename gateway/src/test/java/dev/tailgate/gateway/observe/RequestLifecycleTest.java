package dev.tailgate.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.gateway.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The request lifecycle the exchange owns: listeners heard in order, each stage's effect once. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RequestLifecycleTest {
    private final List<String> heard = new ArrayList<>();
    private final RequestContext ctx = new RequestContext("rid-1", System.nanoTime(), "POST", "/v1/chat/completions");

    private RequestListener recorder(String name, CompletableFuture<Void> durable) {
        return new RequestListener() {
            @Override
            public void started(RequestContext c) {
                heard.add(name + ".started");
            }

            @Override
            public CompletableFuture<Void> beforeLastWrite(RequestContext c, int status, long nanos) {
                heard.add(name + ".beforeLastWrite " + status);
                return durable;
            }

            @Override
            public void finished(RequestContext c, RequestOutcome o) {
                assertThat(c).isSameAs(ctx);
                heard.add(name + ".finished " + o.status() + " in=" + o.bytesIn() + " out=" + o.bytesOut() + " gone=" + o.clientGone());
            }
        };
    }

    @Test
    void listenersHearEveryStageInTheOrderTheyWereGiven() {
        RequestLifecycle life = new RequestLifecycle(List.of(recorder("log", null), recorder("usage", null), recorder("metrics", null)), ctx);
        life.started();
        assertThat(life.beforeLastWrite(200)).isNull(); // nothing to wait for
        life.finished(200, 10, 20, false);
        assertThat(heard).containsExactly("log.started", "usage.started", "metrics.started",
                "log.beforeLastWrite 200", "usage.beforeLastWrite 200", "metrics.beforeLastWrite 200",
                "log.finished 200 in=10 out=20 gone=false", "usage.finished 200 in=10 out=20 gone=false",
                "metrics.finished 200 in=10 out=20 gone=false");
    }

    @Test
    void theEndIsRecordedOnceHoweverOftenItIsReported() {
        RequestLifecycle life = new RequestLifecycle(List.of(recorder("log", null)), ctx);
        assertThat(life.finished(200, 1, 2, false)).isTrue();
        assertThat(life.finished(200, 1, 2, true)).isFalse(); // the connection's close after the response's end
        assertThat(life.beforeLastWrite(200)).isNull();
        assertThat(heard).containsExactly("log.finished 200 in=1 out=2 gone=false");
    }

    @Test
    void theLastWriteWaitsForWhatAListenerMakesDurableOnce() {
        CompletableFuture<Void> row = new CompletableFuture<>();
        RequestLifecycle life = new RequestLifecycle(List.of(recorder("log", null), recorder("usage", row)), ctx);
        CompletableFuture<Void> wait = life.beforeLastWrite(200);
        assertThat(wait).isNotNull().isNotDone();
        row.complete(null);
        assertThat(wait).isDone();
        assertThat(life.beforeLastWrite(200)).isNull(); // a second last write asks nobody again
        assertThat(heard).containsExactly("log.beforeLastWrite 200", "usage.beforeLastWrite 200");
    }

    @Test
    void aListenerThatFailsBeforeTheLastWriteDoesNotHoldTheAnswer() {
        RequestListener broken = new RequestListener() {
            @Override
            public CompletableFuture<Void> beforeLastWrite(RequestContext c, int status, long nanos) {
                throw new IllegalStateException("ledger closed");
            }
        };
        RequestLifecycle life = new RequestLifecycle(List.of(broken, recorder("metrics", null)), ctx);
        assertThat(life.beforeLastWrite(502)).isNull();
        assertThat(heard).containsExactly("metrics.beforeLastWrite 502");
    }

    @Test
    void aClientThatLeftIsRecordedAsGone() {
        RequestLifecycle life = new RequestLifecycle(List.of(recorder("usage", null)), ctx);
        life.finished(200, 5, 0, true);
        assertThat(heard).containsExactly("usage.finished 200 in=5 out=0 gone=true");
    }
}
