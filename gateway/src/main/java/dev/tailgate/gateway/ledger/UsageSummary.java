package dev.tailgate.gateway.ledger;

import java.util.Map;

/** One group of a usage summary; {@code keys} holds a value for every requested {@link GroupBy}. */
public record UsageSummary(Map<GroupBy, String> keys, long requests, long errors, long promptTokens,
                           long completionTokens, double costUsd, double avgLatencyMs) {}
