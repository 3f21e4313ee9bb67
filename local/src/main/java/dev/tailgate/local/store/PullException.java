package dev.tailgate.local.store;

/** A pull that could not complete, with a message meant for the person at the terminal (never a token). */
public final class PullException extends Exception {
    public enum Kind {
        /** The hub has no such repository, revision or file. */
        NOT_FOUND,
        /** 401/403 without a token: a gated or private repository. */
        NEEDS_TOKEN,
        /** 401/403 although a token was sent. */
        TOKEN_REFUSED,
        CHECKSUM_MISMATCH,
        /** Another pull of the same file holds the lock. */
        BUSY,
        /** Transient: connect/read-idle/header timeouts, a cut connection, a 5xx or 429 while downloading. The partial is kept. */
        NETWORK,
        /** The hub answered something we cannot use (5xx, missing metadata, bad redirect). */
        HUB,
        DISK,
        /** The name is neither a catalog entry, a configured model, nor an hf:// source. */
        UNKNOWN_MODEL
    }

    private final Kind kind;

    public PullException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public PullException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
