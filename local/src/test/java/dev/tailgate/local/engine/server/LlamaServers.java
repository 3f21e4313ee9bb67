package dev.tailgate.local.engine.server;

import static org.assertj.core.api.Assertions.fail;

import dev.tailgate.local.EngineRegistry;
import dev.tailgate.local.LocalServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The real llama-server the tests run against, found like qwen-local finds it ({@link LlamaServerBinary}):
 * {@code TAILGATE_LLAMA_SERVER}, the PATH, or {@code ~/.tailgate/llama-server/bin/llama-server}. {@code .ci/run}
 * installs it with {@code .ci/llama-server.sh}. Missing, the tests fail saying so — they are never skipped.
 */
public final class LlamaServers {
    private LlamaServers() {}

    public static Path require() {
        Optional<Path> found = LlamaServerBinary.find();
        if (found.isEmpty()) {
            fail("llama-server not found: run .ci/llama-server.sh (installs ~/.tailgate/llama-server/bin/llama-server) "
                    + "or set " + LlamaServerBinary.ENV + " to a llama-server binary");
        }
        return found.get();
    }

    /** A registry with only the llama-server engine, on the required binary. */
    public static EngineRegistry engines(Path logs) {
        Path bin = require();
        return new EngineRegistry().register(LocalServer.LLAMA_SERVER,
                new LlamaServerFactory(() -> Optional.of(bin), logs, Duration.ofSeconds(120)));
    }
}
