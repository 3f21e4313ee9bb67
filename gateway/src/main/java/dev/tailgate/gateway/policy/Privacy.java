package dev.tailgate.gateway.policy;

import dev.tailgate.gateway.ApiException;
import dev.tailgate.wire.ApiError;
import java.util.List;
import java.util.Locale;

/**
 * The one place that decides whether a request is private: the client key's {@code private: true}, the model's
 * {@code private: true}, or the {@code X-Tailgate-Private} header. A private request is only ever sent to
 * {@code local: true} providers (see {@link RoutingPolicy}).
 *
 * <p>The header fails closed: every value of every occurrence is split at commas, and one private token anywhere
 * ({@code true}/{@code 1}/{@code yes}/{@code on}, any case, surrounding spaces ignored) makes the request private —
 * a proxy that appends a second header or an SDK that joins values cannot turn privacy off. Without a private token,
 * a token that is not {@code false}/{@code 0}/{@code no}/{@code off} is refused (400) rather than guessed at.
 */
public final class Privacy {
    public static final String HEADER = "X-Tailgate-Private";

    private Privacy() {}

    /** Whether a request is private: any of the three markers says so. */
    public static boolean isPrivate(boolean clientPrivate, boolean modelPrivate, boolean headerPrivate) {
        return clientPrivate || modelPrivate || headerPrivate;
    }

    /**
     * The header's verdict from all its values (as received, in order; empty = absent). Throws {@link ApiException}
     * 400 {@code invalid_request_error} naming the header when no value is private and one is not a known spelling.
     */
    public static boolean headerSaysPrivate(List<String> values) {
        if (values.isEmpty()) return false;
        String invalid = null;
        for (String value : values) {
            int from = 0;
            while (true) {
                int comma = value.indexOf(',', from);
                String token = (comma < 0 ? value.substring(from) : value.substring(from, comma)).trim().toLowerCase(Locale.ROOT);
                switch (token) {
                    case "true", "1", "yes", "on" -> { return true; }
                    case "false", "0", "no", "off" -> { }
                    default -> { if (invalid == null) invalid = token; }
                }
                if (comma < 0) break;
                from = comma + 1;
            }
        }
        if (invalid == null) return false;
        throw new ApiException(new ApiError(400, "invalid_request_error", "invalid_header",
                "Header " + HEADER + " must be true, 1, yes or on (private) or false, 0, no or off (not private); got "
                        + (invalid.isEmpty() ? "an empty value" : "an unrecognised value") + ".",
                HEADER, null));
    }
}
