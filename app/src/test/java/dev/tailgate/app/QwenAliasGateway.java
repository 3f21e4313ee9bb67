package dev.tailgate.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The gateway.yaml the agent CLI tests share: alias {@code qwen} → one qwen-local model, one client key. */
final class QwenAliasGateway {
    private QwenAliasGateway() {}

    /** Writes {@code dir/gateway.yaml} and returns its path. */
    static Path write(Path dir, int localPort, String localModel, String clientKey) throws IOException {
        return Files.writeString(dir.resolve("gateway.yaml"), """
                listen: 127.0.0.1:0
                providers:
                  local:
                    base_url: http://127.0.0.1:%d/v1
                    local: true
                    max_concurrency: 2
                    timeout: 300s
                models:
                  qwen:
                    targets: [local/%s]
                clients:
                  tester:
                    key_sha256: %s
                """.formatted(localPort, localModel, ClientKey.sha256Hex(clientKey)));
    }
}
