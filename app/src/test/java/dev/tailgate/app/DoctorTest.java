package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DoctorTest {
    @TempDir
    Path home;

    @Test
    void javaOlderThan25FailsWithWhatToInstall() {
        Doctor.Check old = Doctor.javaVersion(Runtime.Version.parse("21.0.2"));
        assertThat(old.ok()).isFalse();
        assertThat(old.fix()).contains("JDK 25", "temurin-25-jdk", "https://adoptium.net");
        assertThat(Doctor.javaVersion(Runtime.Version.parse("25.0.1")).ok()).isTrue();
        assertThat(Doctor.javaVersion(Runtime.Version.parse("26")).ok()).isTrue();
    }

    @Test
    void testsRunWithNativeAccessLikeTheLauncher() {
        assertThat(Doctor.nativeAccess().ok()).isTrue();
    }

    @Test
    void enginesAreOnTheClasspathWithNativesForThisPlatform() {
        assertThat(Doctor.llamaCpp().ok()).as(Doctor.llamaCpp().toString()).isTrue();
        assertThat(Doctor.onnxRuntime().ok()).as(Doctor.onnxRuntime().toString()).isTrue();
        assertThat(Doctor.ffmpeg().ok()).as(Doctor.ffmpeg().toString()).isTrue();
    }

    @Test
    void aMissingBindingIsAFailureThatSaysRebuild() {
        Doctor.Check c = Doctor.classAndNative("thing", "no.such.Klass", "nowhere/lib.so");
        assertThat(c.ok()).isFalse();
        assertThat(c.fix()).contains("mvnw");
        Doctor.Check noNative = Doctor.classAndNative("thing", "java.lang.String", "nowhere/lib.so");
        assertThat(noNative.ok()).isFalse();
        assertThat(noNative.detail()).contains("no native library");
    }

    @Test
    void llamaServerFoundShowsItsPathAndVersionMissingSaysHowToInstall() throws Exception {
        Path fake = home.resolve("llama-server");
        Files.writeString(fake, "#!/bin/sh\necho 'version: 1234 (abcdef)'\n");
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        Doctor.Check found = Doctor.llamaServer(java.util.Optional.of(fake), true);
        assertThat(found.ok()).isTrue();
        assertThat(found.detail()).contains(fake.toString(), "version: 1234");

        Doctor.Check optional = Doctor.llamaServer(java.util.Optional.empty(), false);
        assertThat(optional.ok()).isTrue();
        assertThat(optional.detail()).contains("embedded", "install");
        Doctor.Check needed = Doctor.llamaServer(java.util.Optional.empty(), true);
        assertThat(needed.ok()).isFalse();
        assertThat(needed.fix()).contains("llama.cpp");
    }

    @Test
    void llamaServerIsLookedUpWhereTheEngineLooksNotInTheHome() {
        // a fresh --home has no llama-server folder; the engine still finds one installed in ~/.tailgate or on the PATH
        Doctor.Check c = new Doctor(home).runAll().stream().filter(k -> k.name().equals("llama-server")).findFirst().orElseThrow();
        java.util.Optional<Path> engines = dev.tailgate.local.engine.server.LlamaServerBinary.find();
        if (engines.isPresent()) {
            assertThat(c.detail()).contains(engines.get().toString());
        } else {
            assertThat(c.detail()).contains("install");
        }
    }

    @Test
    void espeakCheckAgreesWithTheDynamicLinker() {
        Doctor.Check c = Doctor.espeak();
        if (c.ok()) {
            assertThat(c.detail()).contains("libespeak-ng");
        } else {
            assertThat(c.fix()).contains("espeak-ng");
        }
    }

    @Test
    void aMissingModelFileThatCanBePulledWarnsWithThePullCommand() {
        List<Doctor.Check> checks = new Doctor(home).modelFiles(new Doctor(home).localConfig()); // the default config
        Doctor.Check qwen = checks.stream().filter(c -> c.name().equals("model qwen2.5-0.5b-instruct")).findFirst().orElseThrow();
        assertThat(qwen.level()).isEqualTo(Doctor.Level.WARN);
        assertThat(qwen.detail()).contains(home.resolve("models").resolve("qwen2.5-0.5b-instruct-q4_k_m.gguf").toString());
        // a home other than ~/.tailgate: the command names it, or it would pull into the default home
        assertThat(qwen.fix()).isEqualTo("tailgate models pull qwen2.5-0.5b-instruct --home " + home);
        Doctor.Check minilm = checks.stream().filter(c -> c.name().equals("model all-minilm-l6-v2")).findFirst().orElseThrow();
        assertThat(minilm.ok()).isTrue();
    }

    @Test
    void presentModelFilesPassEmptyOnesAndMissingOnesWithoutASourceFail() throws Exception {
        Files.createDirectories(home.resolve("m"));
        Files.write(home.resolve("m/a.gguf"), new byte[] {1, 2, 3});
        Files.createFile(home.resolve("m/b.gguf"));
        Files.writeString(home.resolve("local.yaml"), """
                models_dir: m
                models:
                  a: {capability: chat, engine: llama.cpp, file: a.gguf}
                  b: {capability: chat, engine: llama.cpp, file: b.gguf}
                  c: {capability: chat, engine: llama.cpp, file: c.gguf}
                """);
        Doctor d = new Doctor(home);
        List<Doctor.Check> checks = d.modelFiles(d.localConfig());
        assertThat(checks).extracting(Doctor.Check::level)
                .containsExactly(Doctor.Level.OK, Doctor.Level.FAIL, Doctor.Level.FAIL);
        assertThat(checks.get(1).detail()).endsWith("is empty");
        assertThat(checks.get(1).fix()).isEqualTo("tailgate models pull b --home " + home);
        assertThat(checks.get(2).detail()).endsWith("is missing and local.yaml names no source for it");
        assertThat(checks.get(2).fix()).contains("source: hf://");
    }

    @Test
    void aFreePortIsOk() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(Doctor.port("gateway", "127.0.0.1:" + port, "").ok()).isTrue();
    }

    @Test
    void aPortHeldByAnotherProgramFailsWithHowToFindIt() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Accepts connections but never speaks HTTP: the probe must give up by itself.
            Doctor.Check c = Doctor.port("gateway", "127.0.0.1:" + s.getLocalPort(), " --home /srv/tg");
            assertThat(c.ok()).isFalse();
            assertThat(c.detail()).contains("in use by another program");
            assertThat(c.fix()).contains("lsof -i :" + s.getLocalPort()).contains("tailgate up --home /srv/tg --port N --local-port M");
        }
    }

    @Test
    void aPortServingTailgateIsOk() throws Exception {
        try (StubServer running = new StubServer()) {
            running.json("/health", 200, "{\"status\":\"ok\"}");
            Doctor.Check c = Doctor.port("gateway", "127.0.0.1:" + running.port(), "");
            assertThat(c.ok()).as(c.toString()).isTrue();
            assertThat(c.detail()).contains("running tailgate");
        }
    }

    /** Configs whose listen: ports are held by a program that is not tailgate (what doctor must not look at). */
    private ServerSocket[] configsOnPortsHeldByAnotherProgram() throws Exception {
        ServerSocket gw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket local = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Files.writeString(home.resolve("gateway.yaml"), "listen: 127.0.0.1:" + gw.getLocalPort() + "\n");
        Files.writeString(home.resolve("local.yaml"), "listen: 127.0.0.1:" + local.getLocalPort() + "\nmodels: {}\n");
        return new ServerSocket[] {gw, local};
    }

    @Test
    void theRunningInstancesPortsFromItsRunFileAreCheckedNotTheConfigs() throws Exception {
        ServerSocket[] configPorts = configsOnPortsHeldByAnotherProgram();
        try (ServerSocket a = configPorts[0]; ServerSocket b = configPorts[1];
             StubServer gateway = new StubServer(); StubServer local = new StubServer()) {
            gateway.json("/health", 200, "{\"status\":\"ok\"}");
            local.json("/health", 503, "{\"status\":\"degraded\",\"reason\":\"no chat model yet\"}");
            HomeAddresses.record(home, gateway.url(), local.url()); // as `up --port/--local-port` does: this JVM's pid
            long pid = ProcessHandle.current().pid();

            List<Doctor.Check> ports = new Doctor(home).ports();
            assertThat(ports).extracting(Doctor.Check::name)
                    .containsExactly("gateway port " + gateway.port(), "qwen-local port " + local.port());
            assertThat(ports).allSatisfy(c -> assertThat(c.ok()).as(c.toString()).isTrue());
            assertThat(ports.get(0).detail()).isEqualTo("in use by this home's running tailgate (pid " + pid + ", status: ok)");
            assertThat(ports.get(1).detail()).startsWith("in use by this home's running tailgate (pid " + pid + ",");

            // alive but not answering: a warning naming the pid and the run file, not "free" nor "another program"
            gateway.hang("/health");
            Doctor.Check silent = new Doctor(home).ports().get(0);
            assertThat(silent.level()).isEqualTo(Doctor.Level.WARN);
            assertThat(silent.detail()).contains("pid " + pid, "does not answer on " + gateway.url());
            assertThat(silent.fix()).contains("tailgate status --home " + home, home.resolve("run.json").toString());
        }
    }

    @Test
    void aStaleRunFileIsIgnoredAndTheConfigsPortsAreChecked() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ServerSocket[] configPorts = configsOnPortsHeldByAnotherProgram();
        try (ServerSocket a = configPorts[0]; ServerSocket b = configPorts[1]; StubServer gateway = new StubServer()) {
            gateway.json("/health", 200, "{\"status\":\"ok\"}");
            Files.writeString(home.resolve("run.json"), "{\"pid\":" + gone.pid() + ",\"gateway\":\"" + gateway.url()
                    + "\",\"local\":\"" + gateway.url() + "\"}");
            List<Doctor.Check> ports = new Doctor(home).ports();
            assertThat(ports).extracting(Doctor.Check::name)
                    .containsExactly("gateway port " + a.getLocalPort(), "qwen-local port " + b.getLocalPort());
            assertThat(ports).allSatisfy(c -> assertThat(c.detail()).contains("in use by another program"));
        }
    }

    @Test
    void doctorOnAFreshHomeExitsZeroWithWarningsAndOneOnAFailure() throws Exception {
        // the default ports must be free (or serve a tailgate) for a fresh home to pass: that is what the check is for
        for (String port : List.of("127.0.0.1:8080", "127.0.0.1:8081")) {
            Assumptions.assumeTrue(Doctor.port("default", port, "").ok(), port + " is held by another program on this machine");
        }
        // A fresh home has no chat model file yet: a warning with the one pull command, not a failure.
        CliRun r = CliRun.of("doctor", "--home", home.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("(?m)^OK +JDK +Java 25")
                .containsPattern("(?m)^WARN +model \\S+ +.*is missing")
                .contains("fix: tailgate models pull ")
                .contains(" --home " + home)
                .doesNotContainPattern("(?m)^FAIL")
                .containsPattern("No failures; \\d+ warnings?");

        // something configured that cannot work: a model file that is empty
        DefaultConfigs.writeMissing(home);
        Files.writeString(home.resolve("local.yaml"), Files.readString(home.resolve("local.yaml")) + "  broken:\n"
                + "    capability: chat\n    engine: llama.cpp\n    file: broken.gguf\n");
        Files.createFile(home.resolve("models/broken.gguf"));
        CliRun failed = CliRun.of("doctor", "--home", home.toString());
        assertThat(failed.code()).as(failed.toString()).isEqualTo(Main.FAILURE);
        assertThat(failed.out()).containsPattern("(?m)^FAIL +model broken +.*is empty").containsPattern("checks failed");
    }

    @Test
    void printAlignsNamesAndPutsTheFixUnderneath() {
        StringWriter sw = new StringWriter();
        DoctorCommand.print(new PrintWriter(sw), List.of(
                Doctor.Check.ok("JDK", "Java 25"),
                Doctor.Check.warn("espeak-ng", "missing", "apt-get install espeak-ng"),
                Doctor.Check.fail("model a", "empty", "tailgate models pull a")));
        assertThat(sw.toString().lines().toList()).containsExactly(
                "OK    JDK        Java 25",
                "WARN  espeak-ng  missing",
                "                 fix: apt-get install espeak-ng",
                "FAIL  model a    empty",
                "                 fix: tailgate models pull a");
    }
}
