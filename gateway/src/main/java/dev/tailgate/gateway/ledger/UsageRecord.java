package dev.tailgate.gateway.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * One finished request as the ledger keeps it: who, which model, where it went, how much, how long, how it ended.
 * Deliberately has no field for prompt or completion text, or for any key.
 *
 * @param status    the HTTP status the client got (200, 429, 502...)
 * @param errorCode the OpenAI error code when it failed (e.g. {@code upstream_timeout}), else null
 * @param ttftMs    time to first token for streams, null otherwise
 * @param provider  null when the request was refused before any provider was chosen
 */
public record UsageRecord(String requestId, Instant time, String client, String modelAlias, String provider,
                          String upstreamModel, long promptTokens, long completionTokens, double costUsd,
                          long latencyMs, Long ttftMs, int status, String errorCode, boolean privateRequest) {
    public UsageRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(time, "time");
    }
}
