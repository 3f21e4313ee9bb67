package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tailgate install}: a {@code tailgate} symlink to the launcher in a bin folder, and a PATH hint when needed. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InstallCommandTest {
    @TempDir
    Path tmp;

    private Path launcher() throws Exception {
        Path l = Files.writeString(tmp.resolve("checkout/tailgate"), "#!/bin/sh\necho launched \"$@\"\n");
        Files.setPosixFilePermissions(l, PosixFilePermissions.fromString("rwxr-xr-x"));
        return l;
    }

    @Test
    void linksTheLauncherIntoTheBinDirAndSaysWhenThatIsNotOnPath() throws Exception {
        Files.createDirectories(tmp.resolve("checkout"));
        Path launcher = launcher();
        Path bin = tmp.resolve("bin");
        CliRun r = CliRun.of("install", "--bin-dir", bin.toString(), "--launcher", launcher.toString());
        assertThat(r.code()).as(r.toString()).isZero();
        Path link = bin.resolve("tailgate");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(launcher);
        assertThat(r.out()).contains("installed " + link + " -> " + launcher)
                .contains(bin + " is not on your PATH").contains("export PATH=\"" + bin + ":$PATH\"");

        // the command works as typed: running the link runs the launcher with the arguments
        Process p = new ProcessBuilder(link.toString(), "status").redirectErrorStream(true).start();
        assertThat(new String(p.getInputStream().readAllBytes()).trim()).isEqualTo("launched status");
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

        // installing again replaces the link; a regular file of that name is left alone
        assertThat(CliRun.of("install", "--bin-dir", bin.toString(), "--launcher", launcher.toString()).code()).isZero();
        Files.delete(link);
        Files.writeString(link, "mine");
        CliRun refused = CliRun.of("install", "--bin-dir", bin.toString(), "--launcher", launcher.toString());
        assertThat(refused.code()).isEqualTo(Main.FAILURE);
        assertThat(refused.err()).contains("exists and is not a symlink");
        assertThat(Files.readString(link)).isEqualTo("mine");
    }

    @Test
    void aBinDirOnPathIsRecognised() {
        assertThat(InstallCommand.onPath(tmp.resolve("bin"), "/usr/bin:" + tmp.resolve("bin") + ":/bin")).isTrue();
        assertThat(InstallCommand.onPath(tmp.resolve("bin"), "/usr/bin:/bin")).isFalse();
        assertThat(InstallCommand.onPath(tmp.resolve("bin"), null)).isFalse();
    }

    @Test
    void withoutTheLauncherItSaysHowToRunIt() {
        CliRun r = CliRun.of("install", "--bin-dir", tmp.resolve("bin").toString());
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).contains("./tailgate install");
    }
}
