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
    private volatile String endpoint = "other";
    private volatile Caller caller;
    private volatile boolean privateHeader;
    private volatile String model;
    private volatile String provider;
    private volatile String upstreamModel;
    private volatile int attempts;
    // policy facts: filled by the routes (estimate), the relays (usage, first token) and the error path (error code)
    private volatile long estimatedPromptTokens;
    private volatile boolean admitted;
    private volatile String selectedFor;
    private volatile java.util.List<dev.tailgate.gateway.config.Target> selection;
    private volatile long promptTokens = -1;
    private volatile long completionTokens = -1;
    private volatile long firstTokenNanos;
    private volatile String errorCode;
    private volatile boolean privateRoute;
    private volatile java.util.List<String> skippedForPrivacy = java.util.List.of();
    private volatile double costUsd;
    private final java.util.List<String> fellBackFrom = new java.util.concurrent.CopyOnWriteArrayList<>();

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
    /** The router's own name for the route (a registered path, a prefix + "*", or "other"): a metric label. */
    public String endpoint() { return endpoint; }
    public void endpoint(String e) { this.endpoint = e; }
    public Caller caller() { return caller; }
    public void caller(Caller c) { this.caller = c; }
    /** The {@code X-Tailgate-Private} header's verdict ({@link dev.tailgate.gateway.policy.Privacy#headerSaysPrivate}). */
    public boolean privateHeader() { return privateHeader; }
    public void privateHeader(boolean p) { this.privateHeader = p; }
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

    /** Prompt size estimate ({@code PromptTokens.estimate}) for rate limits and context-window checks; 0 = unknown. */
    public long estimatedPromptTokens() { return estimatedPromptTokens; }
    public void estimatedPromptTokens(long t) { this.estimatedPromptTokens = Math.max(0, t); }

    /** Client admission (rate/budget) ran for this request: it runs once, however many internal calls follow. */
    public boolean admitted() { return admitted; }

    private boolean usageClaimed;

    /**
     * True exactly once: the first caller writes this request's usage row (before the response's last byte, or when
     * the request ends without one), every later caller must not write another.
     */
    public boolean claimUsageRow() {
        if (usageClaimed) return false;
        usageClaimed = true;
        return true;
    }
    public void admitted(boolean a) { this.admitted = a; }

    /** The targets chosen for {@code alias} earlier in this request (one decision, one audit row per request), or null. */
    public java.util.List<dev.tailgate.gateway.config.Target> selection(String alias) {
        return alias != null && alias.equals(selectedFor) ? selection : null;
    }
    public void selection(String alias, java.util.List<dev.tailgate.gateway.config.Target> targets) {
        this.selectedFor = alias;
        this.selection = targets;
    }

    /** Routing decided the request is private ({@link dev.tailgate.gateway.policy.Privacy}); only local targets were chosen. */
    public boolean privateRoute() { return privateRoute; }
    /** The targets ("provider/model") left out because the request is private. */
    public java.util.List<String> skippedForPrivacy() { return skippedForPrivacy; }
    public void privateRoute(boolean isPrivate, java.util.List<String> skipped) {
        this.privateRoute = isPrivate;
        this.skippedForPrivacy = java.util.List.copyOf(skipped);
    }

    /** Token usage the upstream reported ({@code usage} of the JSON or the final stream chunk); -1 when unknown. */
    public long promptTokens() { return promptTokens; }
    public long completionTokens() { return completionTokens; }
    public boolean hasUsage() { return promptTokens >= 0 || completionTokens >= 0; }
    public void usage(long prompt, long completion) {
        this.promptTokens = Math.max(0, prompt);
        this.completionTokens = Math.max(0, completion);
    }

    /** Marks the first content delivered to the client (once), for time-to-first-token. */
    public void firstToken() {
        if (firstTokenNanos == 0) firstTokenNanos = System.nanoTime();
    }
    /** Nanos from the start to the first delivered content, or -1 when none was delivered. */
    public long ttftNanos() { return firstTokenNanos == 0 ? -1 : firstTokenNanos - startNanos; }

    /** The request's cost in USD as the ledger settled it (0 until settled, or when no price is configured). */
    public double costUsd() { return costUsd; }
    public void costUsd(double usd) { this.costUsd = usd; }

    /** Providers whose failed attempt handed this request to the route's next target, in order (for metrics). */
    public java.util.List<String> fellBackFrom() { return fellBackFrom; }
    public void fellBackFrom(String provider) { fellBackFrom.add(provider); }

    /** The OpenAI error code the client got (null when it succeeded or the error had none). */
    public String errorCode() { return errorCode; }
    public void errorCode(String code) { this.errorCode = code; }
}
