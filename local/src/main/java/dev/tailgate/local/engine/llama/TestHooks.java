package dev.tailgate.local.engine.llama;

/**
 * Fault injection for tests of the supervisor and the stuck-job watchdog. Off unless the environment variable or
 * system property {@code TAILGATE_TEST_HOOKS} is {@code 1} in the process that runs the engine.
 *
 * <p>Hooks: a chat whose prompt contains {@value #HANG_MARKER} stops producing tokens forever — it also ignores
 * {@code cancel()}, like a native call that never returns — so only killing the worker ends it. A chat whose prompt
 * contains {@value #ABORT_MARKER} makes llama.cpp abort the process for real (an uncaught C++ exception: SIGABRT).
 * A transcription whose prompt contains {@value #GATE_MARKER}{@code <file>} waits before its last window until that
 * file exists (a latch the test opens from another process), and fails after {@link #GATE_WAIT}.
 */
public final class TestHooks {
    public static final String ENABLE = "TAILGATE_TEST_HOOKS";
    public static final String HANG_MARKER = "__tailgate_test_hang__";
    public static final String ABORT_MARKER = "__tailgate_test_abort__";
    public static final String GATE_MARKER = "__tailgate_test_gate__:";
    static final java.time.Duration GATE_WAIT = java.time.Duration.ofSeconds(60);

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

    /** Before a transcription's last window: holds until the gate file named after {@value #GATE_MARKER} exists. */
    public static void beforeLastWindow(String prompt) {
        if (!enabled()) return;
        int at = prompt.indexOf(GATE_MARKER);
        if (at < 0) return;
        java.nio.file.Path gate = java.nio.file.Path.of(prompt.substring(at + GATE_MARKER.length()).split("\\s", 2)[0]);
        long deadline = System.nanoTime() + GATE_WAIT.toNanos();
        while (!java.nio.file.Files.exists(gate)) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("test gate " + gate + " was not opened");
            try {
                Thread.sleep(10); // polling a file: the test opens the gate from another process
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted at the test gate");
            }
        }
    }
}
