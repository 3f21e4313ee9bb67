package dev.tailgate.gateway;

import dev.tailgate.gateway.auth.Caller;

/**
 * Per-request facts shared by routing, relay, access log and metrics. Created by the HTTP layer for every request;
 * code calling the gateway internally (e.g. the Responses bridge) passes the context of the request it is serving.
 * The access-log fields ({@code model}, {@code provider}, ...) are filled in as the request progresses.
 */
public final class RequestContext {
    private final String requestId;
    private final long startNanos;
    private final String method;
    private final String path;
    private volatile Caller caller;
    private volatile boolean privateHeader;
    private volatile String model;
    private volatile String provider;
    private volatile String upstreamModel;
    private volatile int attempts;

    public RequestContext(String requestId, long startNanos, String method, String path) {
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.method = method;
        this.path = path;
    }

    public String requestId() { return requestId; }
    public long startNanos() { return startNanos; }
    public String method() { return method; }
    public String path() { return path; }
    public Caller caller() { return caller; }
    public void caller(Caller c) { this.caller = c; }
    /** The request asked to stay private via {@code X-Tailgate-Private: true}. */
    public boolean privateHeader() { return privateHeader; }
    public void privateHeader(boolean p) { this.privateHeader = p; }
    /** Private because of the header or because the client key is private (model-level privacy is the route's). */
    public boolean privateRequest() { return privateHeader || (caller != null && caller.privateOnly()); }
    public String model() { return model; }
    public void model(String m) { this.model = m; }
    public String provider() { return provider; }
    public String upstreamModel() { return upstreamModel; }
    public void target(String provider, String upstreamModel) {
        this.provider = provider;
        this.upstreamModel = upstreamModel;
        this.attempts++;
    }
    public int attempts() { return attempts; }
}
