/**
 * Worker processes: each loaded model runs in its own child JVM so that a native abort, a hang or leaked native
 * memory costs one worker, never qwen-local.
 *
 * <ul>
 *   <li>{@link dev.tailgate.local.engine.worker.WorkerProcessFactory} — the production
 *       {@link dev.tailgate.local.engine.EngineFactory}: starts {@link dev.tailgate.local.engine.worker.WorkerMain}
 *       with the same java binary and classpath, waits (bounded by the load timeout) for it to connect back and load.
 *   <li>{@link dev.tailgate.local.engine.worker.WorkerModel} — the supervisor's
 *       {@link dev.tailgate.local.engine.LoadedModel}: forwards jobs, turns the child's exit into
 *       {@code WORKER_DIED} for every job in flight, reports the child's RSS as its memory, and kills the child on
 *       {@code close()}.
 *   <li>Wire: JSON lines over a loopback TCP connection opened by the child (stdout is not used — native code logs
 *       there; stdout and stderr go to {@code <logDir>/<model>.log}). See {@code WorkerProtocol} for the messages.
 * </ul>
 *
 * <p><b>Test hook.</b> With {@code TAILGATE_TEST_HOOKS=1} in the worker's environment (or as a system property), a chat
 * whose prompt contains {@code __tailgate_test_hang__} never produces a token and ignores cancel — only killing the
 * worker ends it. Pass it with {@code Settings.withEnvironment(Map.of("TAILGATE_TEST_HOOKS", "1"))}; it is for the
 * stuck-job watchdog's tests and is off otherwise.
 */
package dev.tailgate.local.engine.worker;
