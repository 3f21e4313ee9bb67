package dev.tailgate.gateway.http;

import dev.tailgate.gateway.RequestContext;
import dev.tailgate.gateway.observe.RequestListener;
import dev.tailgate.gateway.observe.RequestOutcome;
import dev.tailgate.wire.Printable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes the access log: one line per request, logger {@code tailgate.access}. Only metadata —
 * never prompt or completion text, never a key (the client is named by its config name).
 */
final class AccessLog implements RequestListener {
    private static final Logger LOG = LoggerFactory.getLogger("tailgate.access");

    @Override
    public void finished(RequestContext ctx, RequestOutcome outcome) {
        if (!LOG.isInfoEnabled()) return;
        int status = outcome.status();
        long durationNanos = outcome.nanos(), bytesIn = outcome.bytesIn(), bytesOut = outcome.bytesOut();
        boolean clientGone = outcome.clientGone();
        LOG.info("rid={} {} {} status={}{} client={} model={} provider={} upstream_model={} attempts={} duration_ms={} bytes_in={} bytes_out={}",
                ctx.requestId(), ctx.method(), dash(ctx.path()), status, clientGone ? " client_gone=true" : "",
                dash(ctx.caller() == null ? null : ctx.caller().name()), dash(ctx.model()), dash(ctx.provider()),
                dash(ctx.upstreamModel()), ctx.attempts(), durationNanos / 1_000_000, bytesIn, bytesOut);
    }

    /** A field as logged: "-" when absent, control characters escaped (one request is always one line). */
    private static String dash(String s) {
        return s == null ? "-" : Printable.escape(s);
    }
}
