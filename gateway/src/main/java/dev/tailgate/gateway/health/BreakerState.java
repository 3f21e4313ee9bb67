package dev.tailgate.gateway.health;

/** The classic three states; {@code HALF_OPEN} lets exactly one trial request through. */
public enum BreakerState { CLOSED, OPEN, HALF_OPEN }
