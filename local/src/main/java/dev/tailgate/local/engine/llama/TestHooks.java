package dev.tailgate.local.engine.llama;

/**
 * Fault injection for tests of the supervisor and the stuck-job watchdog. Off unless the environment variable or
 * system property {@code TAILGATE_TEST_HOOKS} is {@code 1} in the process that runs the engine.
 *
 * <p>Hooks: a chat whose prompt contains {@value #HANG_MARKER} stops producing tokens forever — it also ignores
 * {@code cancel()}, like a native call that never returns — so only killing the worker ends it.
 */
public final class TestHooks {
    public static final String ENABLE = "TAILGATE_TEST_HOOKS";
    public static final String HANG_MARKER = "__tailgate_test_hang__";

    private TestHooks() {}

    public static boolean enabled() {
        return "1".equals(System.getenv(ENABLE)) || "1".equals(System.getProperty(ENABLE));
    }

    /** Blocks forever when the hang hook applies to {@code prompt}; returns immediately otherwise. */
    static void maybeHang(String prompt) {
        if (!enabled() || !prompt.contains(HANG_MARKER)) return;
        Object never = new Object();
        synchronized (never) {
            while (true) {
                try {
                    never.wait();
                } catch (InterruptedException ignored) {
                    // a stuck native call does not notice interrupts either
                }
            }
        }
    }
}
