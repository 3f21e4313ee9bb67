package dev.tailgate.local.tools;

import dev.tailgate.local.EngineRegistry;
import dev.tailgate.local.engine.worker.WorkerProcessFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The tool-call acceptance on the embedded engine: java-llama.cpp in production worker processes. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EmbeddedToolCallsTest extends ToolCallsAcceptance {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void startEmbedded() throws Exception {
        WorkerProcessFactory workers = new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(tmp.resolve("logs")));
        start(tmp, "llama.cpp", new EngineRegistry().register("llama.cpp", workers), "");
    }
}
