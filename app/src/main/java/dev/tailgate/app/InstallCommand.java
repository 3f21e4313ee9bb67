package dev.tailgate.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailgate install}: a {@code tailgate} command on the PATH (a symlink to this checkout's launcher), so the
 * hints every command prints ({@code tailgate status}, {@code tailgate models pull …}) work as typed.
 */
@Command(name = "install", description = "Put a `tailgate` command on the PATH (a symlink to ./tailgate in ~/.local/bin).",
        mixinStandardHelpOptions = true)
public final class InstallCommand implements Callable<Integer> {
    /** Set by the launcher script: its own absolute path. */
    static final String LAUNCHER_PROPERTY = "tailgate.launcher";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bin-dir", paramLabel = "DIR", description = "Where to put the command (default: ~/.local/bin).")
    Path binDir;

    @Option(names = "--launcher", paramLabel = "FILE", hidden = true, description = "The launcher to link to (default: the one running).")
    Path launcher;

    @Override
    public Integer call() {
        String home = System.getProperty("user.home");
        Path target = launcher != null ? launcher : launcherFromProperty();
        target = target.toAbsolutePath().normalize();
        if (!Files.isRegularFile(target) || !Files.isExecutable(target)) {
            throw new UserError("the launcher " + target + " is not an executable file");
        }
        Path dir = binDir != null ? Home.expand(binDir.toString(), home) : Path.of(home, ".local", "bin");
        Path link = dir.resolve("tailgate");
        try {
            Files.createDirectories(dir);
            if (Files.isSymbolicLink(link) || Files.exists(link)) {
                if (!Files.isSymbolicLink(link)) {
                    throw new UserError(link + " exists and is not a symlink; remove it or pick another --bin-dir");
                }
                Files.delete(link); // an older install, maybe of another checkout: this one replaces it
            }
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UserError("cannot create " + link + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("installed " + link + " -> " + target);
        if (!onPath(dir, System.getenv("PATH"))) {
            out.println(dir + " is not on your PATH; add it (e.g. in ~/.bashrc or ~/.zshrc):");
            out.println("  export PATH=\"" + dir + ":$PATH\"");
        } else {
            out.println("`tailgate` now works from any folder (try: tailgate status)");
        }
        out.flush();
        return Main.OK;
    }

    private static Path launcherFromProperty() {
        String p = System.getProperty(LAUNCHER_PROPERTY);
        if (p == null || p.isBlank()) {
            throw new UserError("run install through the launcher (./tailgate install), or name it with --launcher");
        }
        return Path.of(p);
    }

    static boolean onPath(Path dir, String path) {
        if (path == null) return false;
        Path d = dir.toAbsolutePath().normalize();
        return Arrays.stream(path.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank())
                .anyMatch(s -> Path.of(s).toAbsolutePath().normalize().equals(d));
    }
}
