package dev.tailgate.gateway.ledger;

/** The ledger's bounded queue is full (the disk cannot keep up); the row was not recorded. */
public final class LedgerFullException extends RuntimeException {
    public LedgerFullException(String message) {
        super(message, null, false, false);
    }
}
