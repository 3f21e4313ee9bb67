package dev.tailgate.gateway.limit;

/** A slot to send one request to a provider. Release exactly once when the request ends (success, error or cancel); later calls are ignored. */
@FunctionalInterface
public interface Permit extends AutoCloseable {
    void release();

    @Override
    default void close() {
        release();
    }
}
