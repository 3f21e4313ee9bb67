package dev.tailgate.app;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code tailgate} command line. {@code ./tailgate} (the launcher script) runs this class from the fat jar.
 *
 * <p>Exit codes: 0 ok, 1 failure, 2 usage error. A failure prints one clear line; the stack trace only with
 * {@code --verbose}, because a user who did nothing wrong should not have to read one.
 */
@Command(
        name = "tailgate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.class,
        description = "A private OpenAI-compatible AI gateway and a local model service (qwen-local).",
        subcommands = {
            UpCommand.class,
            GatewayCommand.class,
            LocalCommand.class,
            ModelsCommand.class,
            KeysCommand.class,
            StatusCommand.class,
            PsCommand.class,
            UnloadCommand.class,
            UsageCommand.class,
            InstallCommand.class,
            DoctorCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of failures.")
    boolean verbose;

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // `tailgate` alone: show what it can do rather than silently succeeding.
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command.");
    }

    public static void main(String[] args) {
        dev.tailgate.wire.LogDefaults.apply();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the CLI with the given streams and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, CommandLine.defaultFactory(), args);
    }

    /** As {@link #run(PrintWriter, PrintWriter, String...)} with a factory that may supply test doubles for commands. */
    static int run(PrintWriter out, PrintWriter err, CommandLine.IFactory factory, String... args) {
        CommandLine cl = commandLine(factory);
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cl = new CommandLine(new Main(), factory);
        cl.setExecutionExceptionHandler(Main::onFailure);
        cl.setParameterExceptionHandler(Main::onUsageError);
        return cl;
    }

    private static int onFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean explained = e instanceof UserError || e instanceof Services.NotAvailable;
        String message = explained || e instanceof Services.StartFailed ? e.getMessage() : describe(e);
        err.println("tailgate: " + message);
        if (isVerbose(parsed)) {
            e.printStackTrace(err);
        } else if (!explained) {
            err.println("(run again with --verbose for details)");
        }
        err.flush();
        return e instanceof UserError u ? u.exitCode() : FAILURE;
    }

    private static int onUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("tailgate: " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        }
        err.flush();
        return USAGE;
    }

    private static boolean isVerbose(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult p = parsed;
        while (p != null) {
            if (p.hasMatchedOption("--verbose")) return true;
            p = p.subcommand();
        }
        return false;
    }

    /** One line for an unexpected exception: its type (when the message alone would be cryptic) and message. */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) return t.getClass().getSimpleName();
        String firstLine = msg.lines().findFirst().orElse(msg);
        return t instanceof RuntimeException && t.getClass().getName().startsWith("java.")
                        && !(t instanceof IllegalArgumentException || t instanceof IllegalStateException
                                || t instanceof UnsupportedOperationException)
                ? t.getClass().getSimpleName() + ": " + firstLine
                : firstLine;
    }
}
