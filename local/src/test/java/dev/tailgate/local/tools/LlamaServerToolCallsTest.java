package dev.tailgate.local.tools;

import dev.tailgate.local.LocalServer;
import dev.tailgate.local.engine.server.LlamaServers;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The tool-call acceptance on the llama-server engine: a real llama-server process per model, with --jinja. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LlamaServerToolCallsTest extends ToolCallsAcceptance {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void startServers() throws Exception {
        start(tmp, LocalServer.LLAMA_SERVER, LlamaServers.engines(tmp.resolve("logs")), "");
    }
}
