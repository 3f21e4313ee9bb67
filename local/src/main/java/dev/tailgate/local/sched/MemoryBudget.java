package dev.tailgate.local.sched;

import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.wire.ByteSizes;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one {@code memory_budget} shared by every model: what each loaded (or loading) model holds, and room-making by
 * unloading idle models, least recently used first. No locking of its own: every call happens under the scheduler
 * lock, together with the model state it reads.
 */
final class MemoryBudget {
    private long budgetBytes; // a local.yaml reload may change it
    private final Map<ModelSlot, Long> held = new HashMap<>();

    MemoryBudget(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** A new {@code memory_budget} (reload): loaded models stay; idle ones are unloaded on the next load that needs room. */
    void resize(long bytes) {
        budgetBytes = bytes;
    }

    long budgetBytes() {
        return budgetBytes;
    }

    long used() {
        long sum = 0;
        for (long b : held.values()) sum += b;
        return sum;
    }

    long heldBy(ModelSlot slot) {
        return held.getOrDefault(slot, 0L);
    }

    void hold(ModelSlot slot, long bytes) {
        held.put(slot, Math.max(0, bytes));
    }

    void release(ModelSlot slot) {
        held.remove(slot);
    }

    void releaseAll() {
        held.clear();
    }

    /** Whether {@code bytes} could fit at all, with every other model unloaded. */
    boolean couldEverFit(long bytes) {
        return bytes <= budgetBytes;
    }

    /**
     * A loaded model holds the larger of its estimate and its measured size: a fresh worker's RSS is small until its
     * weights are paged in, and counting only that would let the next model overcommit.
     */
    void refresh(Collection<ModelSlot> slots) {
        for (ModelSlot s : slots) {
            if (s.model != null) hold(s, Math.max(s.estimateBytes, s.model.memoryBytes()));
        }
    }

    /**
     * Reserves {@code bytes} for {@code slot}, detaching idle models (LRU first) into {@code evicted} until it fits.
     * Returns null on success, or why not (the memory is held by busy models). The caller closes the evicted models.
     */
    String reserve(ModelSlot slot, long bytes, Collection<ModelSlot> all, List<LoadedModel> evicted) {
        release(slot);
        refresh(all);
        while (used() + bytes > budgetBytes) {
            ModelSlot victim = all.stream()
                    .filter(s -> s != slot && s.idleLoaded())
                    .min(Comparator.comparingLong(s -> s.lastUsedAt))
                    .orElse(null);
            if (victim == null) {
                List<String> holders = held.keySet().stream().map(ModelSlot::id).sorted().toList();
                return "memory_budget is full (" + ByteSizes.format(used()) + " of " + ByteSizes.format(budgetBytes)
                        + " held by busy models " + holders + "); retry when they finish";
            }
            evicted.add(victim.model);
            victim.model = null;
            victim.reason = "unloaded to make room for '" + slot.id() + "' (memory_budget)";
            release(victim);
        }
        hold(slot, bytes);
        return null;
    }
}
