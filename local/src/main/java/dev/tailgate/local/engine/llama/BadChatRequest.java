package dev.tailgate.local.engine.llama;

/** The chat request cannot be served as asked; the message is safe to show to the client (400). */
public final class BadChatRequest extends RuntimeException {
    public BadChatRequest(String message) {
        super(message, null, false, false);
    }
}
