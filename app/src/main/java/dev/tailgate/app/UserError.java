package dev.tailgate.app;

/**
 * A failure the user can act on: its message is the whole story (printed as one line, no stack trace).
 */
public final class UserError extends RuntimeException {
    private final int exitCode;

    public UserError(String message) {
        this(message, Main.FAILURE);
    }

    public UserError(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
