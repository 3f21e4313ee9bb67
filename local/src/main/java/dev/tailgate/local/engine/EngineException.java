package dev.tailgate.local.engine;

/** A model could not be loaded; the message says why in words a user can act on (shown in /status). */
public class EngineException extends Exception {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
