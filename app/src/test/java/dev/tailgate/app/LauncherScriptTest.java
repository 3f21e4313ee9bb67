package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code ./tailgate} script with a scrubbed environment ({@code env -i}) and fake {@code java}
 * binaries, so the JDK search is tested without touching the JDKs installed on the machine.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherScriptTest {
    static final Path SCRIPT = Path.of("").toAbsolutePath().getParent().resolve("tailgate");

    @TempDir
    Path tmp;

    Path empty;

    record Result(int code, String out, String err) {}

    @BeforeEach
    void setUp() throws IOException {
        assertThat(SCRIPT).as("the launcher at the repository root").isRegularFile();
        empty = Files.createDirectories(tmp.resolve("empty"));
    }

    /** A fake JDK whose java reports {@code version} and otherwise prints its arguments, one per line. */
    Path fakeJdk(String name, String version) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve(name).resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                if [ "$1" = "-version" ]; then echo 'openjdk version "%s" 2025-10-21' >&2; exit 0; fi
                for a in "$@"; do echo "$a"; done
                """.formatted(version));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tmp.resolve(name);
    }

    Result run(Path script, Path cwd, List<String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "-i"));
        cmd.add("HOME=" + tmp.resolve("userhome"));
        cmd.add("TAILGATE_JVM_DIRS=" + empty); // never find the machine's real JDKs
        cmd.addAll(env);
        cmd.add("/bin/bash");
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(45, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        return new Result(p.exitValue(),
                Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    /** A copy of the launcher in a fake checkout whose jar is up to date, so no build starts. */
    Path fakeCheckout() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("checkout"));
        Path script = root.resolve("tailgate");
        Files.copy(SCRIPT, script);
        Files.createDirectories(root.resolve("app/target"));
        Files.writeString(root.resolve("app/target/tailgate-all.jar"), "not really a jar");
        return script;
    }

    @Test
    void withoutAnyJdkItSaysWhatToInstallAndExitsOne() throws Exception {
        Result r = run(SCRIPT, tmp, List.of("PATH=" + empty, "JAVA_HOME=" + empty), "--version");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no JDK 25 found")
                .contains("Install a JDK 25")
                .contains("apt-get install temurin-25-jdk")
                .contains("sdk install java 25-tem")
                .contains("https://adoptium.net");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anOlderJavaOnPathOrInJavaHomeIsNotEnough() throws Exception {
        Path jdk17 = fakeJdk("jdk17", "17.0.15");
        Path jdk8 = fakeJdk("jdk8", "1.8.0_292");
        Result r = run(SCRIPT, tmp, List.of("PATH=" + jdk8.resolve("bin"), "JAVA_HOME=" + jdk17), "--version");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("Install a JDK 25");
    }

    @Test
    void aJdk25InJavaHomeRunsTheJarWithNativeAccessFromAnyDirectory() throws Exception {
        Path script = fakeCheckout();
        Path jdk = fakeJdk("jdk25", "25.0.1");
        Path elsewhere = Files.createDirectories(tmp.resolve("somewhere/else"));
        Result r = run(script, elsewhere, List.of("PATH=/usr/bin:/bin", "JAVA_HOME=" + jdk), "status", "--url", "x");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> args = r.out().lines().toList();
        assertThat(args).contains("--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-Xmx1g",
                "-Dde.kherud.llama.tmpdir=" + tmp.resolve("userhome/.tailgate/tmp"),
                "-Dtailgate.launcher=" + script.toRealPath()); // what `tailgate install` links to
        assertThat(args.subList(args.indexOf("-jar"), args.size())).containsExactly(
                "-jar", script.getParent().resolve("app/target/tailgate-all.jar").toString(), "status", "--url", "x");
    }

    @Test
    void aJdk25OnPathIsFoundWhenJavaHomeIsOld() throws Exception {
        Path script = fakeCheckout();
        Path old = fakeJdk("jdk21", "21.0.2");
        Path jdk = fakeJdk("jdk25", "25");
        Result r = run(script, tmp, List.of("PATH=" + jdk.resolve("bin") + ":/usr/bin:/bin", "JAVA_HOME=" + old), "--version");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void aJdk25InTheUsualFoldersIsFound() throws Exception {
        Path script = fakeCheckout();
        Path jvms = Files.createDirectories(tmp.resolve("jvms"));
        Path jdk = fakeJdk("jvms/temurin-25-jdk-amd64", "25.0.3");
        assertThat(jdk.getParent()).isEqualTo(jvms);
        List<String> env = List.of("PATH=/usr/bin:/bin", "JAVA_HOME=" + empty, "TAILGATE_JVM_DIRS=" + jvms);
        // env -i takes the last assignment of a name, so this TAILGATE_JVM_DIRS wins over the default one
        Result r = run(script, tmp, env, "--version");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("-jar");
    }

    @Test
    void theHomeOptionAndTailgateHomeChooseTheNativeTempDir() throws Exception {
        Path script = fakeCheckout();
        Path jdk = fakeJdk("jdk25", "25.0.1");
        Path h = tmp.resolve("h1");
        Result r = run(script, tmp, List.of("PATH=/usr/bin:/bin", "JAVA_HOME=" + jdk), "up", "--home", h.toString());
        assertThat(r.out()).contains("-Dde.kherud.llama.tmpdir=" + h.resolve("tmp"));
        assertThat(h.resolve("tmp")).isDirectory();

        Path h2 = tmp.resolve("h2");
        Result r2 = run(script, tmp, List.of("PATH=/usr/bin:/bin", "JAVA_HOME=" + jdk, "TAILGATE_HOME=" + h2), "local",
                "--config", "x.yaml");
        assertThat(r2.out()).contains("-Dde.kherud.llama.tmpdir=" + h2.resolve("tmp"));
    }

    /** A fake checkout with sources, a pom and a fake ./mvnw that records its calls and writes the jar. */
    Path checkoutWithFakeMaven() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("repo"));
        Files.copy(SCRIPT, root.resolve("tailgate"));
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.createDirectories(root.resolve("gateway/src/main/java"));
        Files.writeString(root.resolve("gateway/pom.xml"), "<project/>");
        Files.writeString(root.resolve("gateway/src/main/java/A.java"), "class A {}");
        Path mvnw = root.resolve("mvnw");
        Files.writeString(mvnw, """
                #!/bin/sh
                echo "JAVA_HOME=$JAVA_HOME ARGS=$*" >> mvnw.calls
                if [ -f fail-build ]; then echo "compilation failed" >&2; exit 3; fi
                mkdir -p app/target && echo jar > app/target/tailgate-all.jar
                """);
        Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
        return root;
    }

    static void setTime(Path p, long epochSeconds) throws IOException {
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.from(java.time.Instant.ofEpochSecond(epochSeconds)));
    }

    @Test
    void buildsWhenTheJarIsMissingOrOlderThanASourceAndOnlyThen() throws Exception {
        Path root = checkoutWithFakeMaven();
        Path jdk = fakeJdk("jdk25", "25.0.1");
        List<String> env = List.of("PATH=/usr/bin:/bin", "JAVA_HOME=" + jdk);
        Path calls = root.resolve("mvnw.calls");

        Result first = run(root.resolve("tailgate"), tmp, env, "--version");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(Files.readAllLines(calls)).containsExactly("JAVA_HOME=" + jdk + " ARGS=-q -B -DskipTests package");
        assertThat(first.err()).contains("building the application");

        // Jar newer than every source (folders count too: a deleted source file shows as a newer folder): no build.
        long now = java.time.Instant.now().getEpochSecond();
        try (var all = Files.walk(root)) {
            for (Path p : all.toList()) setTime(p, now - 3600);
        }
        setTime(root.resolve("app/target/tailgate-all.jar"), now - 60);
        Result second = run(root.resolve("tailgate"), tmp, env, "--version");
        assertThat(second.code()).isZero();
        assertThat(Files.readAllLines(calls)).hasSize(1);
        assertThat(second.err()).doesNotContain("building");

        // A source edited after the jar was built: build again.
        setTime(root.resolve("gateway/src/main/java/A.java"), now);
        Result third = run(root.resolve("tailgate"), tmp, env, "--version");
        assertThat(third.code()).isZero();
        assertThat(Files.readAllLines(calls)).hasSize(2);

        // A module pom edited after the jar was built: build again.
        setTime(root.resolve("app/target/tailgate-all.jar"), now - 60);
        setTime(root.resolve("gateway/src/main/java/A.java"), now - 3600);
        setTime(root.resolve("gateway/pom.xml"), now);
        run(root.resolve("tailgate"), tmp, env, "--version");
        assertThat(Files.readAllLines(calls)).hasSize(3);
    }

    @Test
    void aFailedBuildIsExitOneWithHowToSeeWhy() throws Exception {
        Path root = checkoutWithFakeMaven();
        Files.writeString(root.resolve("fail-build"), "");
        Path jdk = fakeJdk("jdk25", "25.0.1");
        Result r = run(root.resolve("tailgate"), tmp, List.of("PATH=/usr/bin:/bin", "JAVA_HOME=" + jdk), "up");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("compilation failed").contains("the build failed").contains("./mvnw -B -DskipTests package");
        assertThat(r.out()).doesNotContain("-jar"); // java was never started
    }
}
