package dev.tailgate.local.engine.llama;

/**
 * Fault injection for tests of the supervisor and the stuck-job watchdog. Off unless the environment variable or
 * system property {@code TAILGATE_TEST_HOOKS} is {@code 1} in the process that runs the engine.
 *
 * <p>Hooks: a chat whose prompt contains {@value #HANG_MARKER} stops producing tokens forever — it also ignores
 * {@code cancel()}, like a native call that never returns — so only killing the worker ends it. A chat whose prompt
 * contains {@value #ABORT_MARKER} makes llama.cpp abort the process for real (an uncaught C++ exception: SIGABRT).
 */
public final class TestHooks {
    public static final String ENABLE = "TAILGATE_TEST_HOOKS";
    public static final String HANG_MARKER = "__tailgate_test_hang__";
    public static final String ABORT_MARKER = "__tailgate_test_abort__";

    private TestHooks() {}

    public static boolean enabled() {
        return "1".equals(System.getenv(ENABLE)) || "1".equals(System.getProperty(ENABLE));
    }

    /** Applies the hooks {@code prompt} asks for: may block forever or end the process; returns otherwise. */
    public static void apply(String prompt) {
        if (!enabled()) return;
        if (prompt.contains(ABORT_MARKER)) {
            // java-llama.cpp lets this C++ exception escape: std::terminate, SIGABRT — a genuine native crash.
            de.kherud.llama.LlamaModel.jsonSchemaToGrammar("{\"type\": 5}");
        }
        if (!prompt.contains(HANG_MARKER)) return;
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
