package dev.tailgate.gateway.observe;

/** How a request ended, as its listeners see it: status sent, time since arrival, bytes each way, client gone early. */
public record RequestOutcome(int status, long nanos, long bytesIn, long bytesOut, boolean clientGone) {}
