package dev.tailgate.app;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Placeholder for the model store's command ({@code models pull|list|rm}). The model-store work replaces this
 * file; until then each subcommand says so and exits 2.
 */
@Command(name = "models", description = "Pull, list and remove local model files (not built yet).",
        mixinStandardHelpOptions = true,
        subcommands = {ModelsCommand.Pull.class, ModelsCommand.ListModels.class, ModelsCommand.Remove.class})
public final class ModelsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a models command: pull, list or rm.");
    }

    abstract static class NotBuilt implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("tailgate: 'models " + spec.name() + "' is not built yet");
            spec.commandLine().getErr().flush();
            return Main.USAGE;
        }
    }

    @Command(name = "pull", description = "Download a model file (NAME from local.yaml, or hf://OWNER/REPO/FILE).")
    static final class Pull extends NotBuilt {
        @Parameters(index = "0", paramLabel = "NAME|hf://OWNER/REPO/FILE")
        String what;
    }

    @Command(name = "list", description = "List model files and whether local.yaml uses them.")
    static final class ListModels extends NotBuilt {}

    @Command(name = "rm", description = "Remove a model file.")
    static final class Remove extends NotBuilt {
        @Parameters(index = "0", paramLabel = "NAME")
        String what;
    }
}
