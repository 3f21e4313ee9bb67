package dev.tailgate.gateway.policy;

/** A target the policy did not choose, and why (detail is human-readable, never a secret or prompt text). */
public record Rejection(RouteTarget target, RejectReason reason, String detail) {}
