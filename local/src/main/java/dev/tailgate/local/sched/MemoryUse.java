package dev.tailgate.local.sched;

/** The one memory budget shared by every model, and how much of it loaded (or loading) models hold. */
public record MemoryUse(long budgetBytes, long usedBytes) {}
