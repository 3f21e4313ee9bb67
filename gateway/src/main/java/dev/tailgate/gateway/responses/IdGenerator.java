package dev.tailgate.gateway.responses;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the ids of responses, output items and tool calls ({@code resp_…}, {@code msg_…}, {@code fc_…}, {@code call_…}).
 * An interface so that tests can use predictable ids and assert exact event payloads.
 */
@FunctionalInterface
public interface IdGenerator {

    /** A fresh id starting with {@code prefix} followed by an underscore. */
    String next(String prefix);

    /** Unguessable ids (96 random bits): ids reach clients and must not reveal ordering or volume. */
    static IdGenerator random() {
        SecureRandom random = new SecureRandom();
        HexFormat hex = HexFormat.of();
        return prefix -> {
            byte[] bytes = new byte[12];
            random.nextBytes(bytes);
            return prefix + "_" + hex.formatHex(bytes);
        };
    }

    /** {@code prefix_1}, {@code prefix_2}, … (one counter across prefixes), for tests. */
    static IdGenerator sequential() {
        AtomicLong counter = new AtomicLong();
        return prefix -> prefix + "_" + counter.incrementAndGet();
    }
}
