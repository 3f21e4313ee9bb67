package dev.tailgate.bench.local;

import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.JobListener;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.ProcessMemory;
import dev.tailgate.local.engine.RunningJob;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One model behind a qwen-local child process ({@link QwenLocalMain}, this JVM's class path), reached with
 * {@link HttpModel}. Closing it closes the child's standard input, which stops it.
 */
final class QwenLocalProcess implements LoadedModel {
    private final Process process;
    private final HttpModel http;

    private QwenLocalProcess(Process process, HttpModel http) {
        this.process = process;
        this.http = http;
    }

    static QwenLocalProcess start(Path dir, ModelSpec spec, String engine) throws IOException, InterruptedException {
        Path yaml = dir.resolve("bench-local-" + engine + ".yaml");
        String file = spec.file() == null ? "" : ", file: " + spec.file().getFileName();
        String context = spec.context() > 0 ? ", context: " + spec.context() : "";
        Files.writeString(yaml, """
                listen: 127.0.0.1:0
                models_dir: %s
                logs_dir: %s
                models:
                  %s: {capability: %s, engine: %s%s%s, threads: %d}
                """.formatted(dir, dir.resolve("logs"), spec.id(), spec.capability().wireName(), engine, file, context,
                spec.threads()));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), QwenLocalMain.class.getName(), yaml.toString())
                .redirectError(dir.resolve("qwen-local-" + engine + ".log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line; // "port N" (JVM notes may come first), or null when it could not start (its log says why)
        do line = out.readLine(); while (line != null && !line.startsWith("port "));
        if (line == null || !line.startsWith("port ")) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IOException("qwen-local did not start; see " + dir.resolve("qwen-local-" + engine + ".log"));
        }
        URI base = URI.create("http://127.0.0.1:" + line.substring(5).strip() + "/v1/");
        return new QwenLocalProcess(p, new HttpModel(base, spec.id(), null));
    }

    long pid() {
        return process.pid();
    }

    @Override
    public RunningJob submit(EngineRequest request, JobListener listener) {
        return http.submit(request, listener);
    }

    /** qwen-local's own resident memory (the model's process is its child). */
    @Override
    public long memoryBytes() {
        return ProcessMemory.residentBytes(process.pid()).orElse(0);
    }

    @Override
    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public String deathReason() {
        return process.isAlive() ? null : "qwen-local exited (" + process.exitValue() + ")";
    }

    @Override
    public void close() {
        http.close();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
