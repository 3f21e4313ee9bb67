package dev.tailgate.gateway.config;

/**
 * A resolved secret (provider key or client key). {@link #toString()} never shows the value, so a secret that slips
 * into a log line or an exception message is masked; only {@link #reveal()} gives it, at the one place it is sent.
 */
public final class Secret {
    private final String value;
    private final String source;

    public Secret(String value, String source) {
        this.value = value;
        this.source = source;
    }

    public String reveal() {
        return value;
    }

    /** Where it came from, e.g. {@code env:DEEPSEEK_API_KEY} — safe to show. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "Secret(" + source + ")";
    }
}
