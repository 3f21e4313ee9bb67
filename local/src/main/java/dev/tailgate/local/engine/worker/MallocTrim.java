package dev.tailgate.local.engine.worker;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * glibc's {@code malloc_trim(0)}: gives every whole free page inside malloc's arenas back to the OS. Without it, what an
 * engine freed after a job stays resident wherever it lies below a live allocation. A no-op where the C library has no
 * such function (macOS, musl).
 */
final class MallocTrim {
    private static final MethodHandle TRIM = Linker.nativeLinker().defaultLookup().find("malloc_trim")
            .map(f -> Linker.nativeLinker().downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)))
            .orElse(null);

    private MallocTrim() {}

    static void trim() {
        if (TRIM == null) return;
        try {
            int ignored = (int) TRIM.invokeExact(0L); // 1 when memory was released
        } catch (Throwable t) {
            System.err.println("worker: malloc_trim failed: " + t);
        }
    }
}
