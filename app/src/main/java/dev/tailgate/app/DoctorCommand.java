package dev.tailgate.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tailgate doctor}: OK/WARN/FAIL per check with how to fix each; exit 1 only on a FAIL (something configured
 * cannot work), so a fresh home whose only findings are warnings (no chat model yet, no espeak-ng) passes.
 */
@Command(name = "doctor", description = "Check the JDK, native libraries, espeak-ng, model files and ports.",
        mixinStandardHelpOptions = true)
public final class DoctorCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "Tailgate home (default: $TAILGATE_HOME or ~/.tailgate).")
    Path home;

    @Override
    public Integer call() {
        Path h = Home.resolve(home);
        List<Doctor.Check> checks = new Doctor(h).runAll();
        PrintWriter out = spec.commandLine().getOut();
        print(out, checks);
        long failed = checks.stream().filter(c -> c.level() == Doctor.Level.FAIL).count();
        long warned = checks.stream().filter(c -> c.level() == Doctor.Level.WARN).count();
        out.println();
        String warnings = warned + (warned == 1 ? " warning" : " warnings");
        if (failed > 0) out.println(failed + " of " + checks.size() + " checks failed" + (warned > 0 ? ", " + warnings + "." : "."));
        else if (warned > 0) out.println("No failures; " + warnings + " (optional parts or steps still to do).");
        else out.println("All " + checks.size() + " checks OK.");
        out.flush();
        return failed == 0 ? Main.OK : Main.FAILURE;
    }

    static void print(PrintWriter out, List<Doctor.Check> checks) {
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Doctor.Check c : checks) {
            out.printf("%-4s  %-" + width + "s  %s%n", c.level(), c.name(), c.detail());
            if (!c.ok()) out.printf("      %-" + width + "s  fix: %s%n", "", c.fix());
        }
    }
}
