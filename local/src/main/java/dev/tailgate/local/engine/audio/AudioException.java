package dev.tailgate.local.engine.audio;

/** Audio that cannot be encoded or decoded; the message says why, in words a client can act on. */
public final class AudioException extends Exception {
    public AudioException(String message) {
        super(message);
    }

    public AudioException(String message, Throwable cause) {
        super(message, cause);
    }
}
