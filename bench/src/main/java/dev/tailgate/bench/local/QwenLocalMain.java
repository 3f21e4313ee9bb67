package dev.tailgate.bench.local;

import dev.tailgate.local.LocalServer;
import java.nio.file.Path;

/**
 * qwen-local as its own process for {@link EngineBench}'s {@code http+…} modes (as in production, where the client is
 * another process): starts from the config file given, prints {@code port N} once listening, and stops when its
 * standard input closes (the benchmark ended or died).
 */
public final class QwenLocalMain {
    private QwenLocalMain() {}

    public static void main(String[] args) throws Exception {
        LocalServer server = LocalServer.start(Path.of(args[0]), null, null);
        System.out.println("port " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the benchmark to close our stdin
        }
        server.close();
        System.exit(0);
    }
}
