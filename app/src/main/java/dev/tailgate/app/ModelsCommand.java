package dev.tailgate.app;

import dev.tailgate.local.store.Env;
import dev.tailgate.local.store.HubAccess;
import dev.tailgate.local.store.ModelCatalog;
import dev.tailgate.local.store.ModelPuller;
import dev.tailgate.local.store.ModelStore;
import dev.tailgate.local.store.ProgressPrinter;
import dev.tailgate.local.store.PullException;
import dev.tailgate.local.store.PullOptions;
import dev.tailgate.local.store.PullResult;
import dev.tailgate.local.store.StoreConfig;
import dev.tailgate.wire.ByteSizes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tailgate models pull|list|rm}: qwen-local's model store from the command line. Results go to stdout,
 * progress and errors to stderr. Exit codes: 0 done, 1 failed (message on stderr), 2 usage.
 */
@Command(name = "models",
        description = "Download, list and remove local model files.",
        subcommands = {ModelsCommand.Pull.class, ModelsCommand.ListFiles.class, ModelsCommand.Remove.class, ModelsImport.class})
public final class ModelsCommand implements Callable<Integer> {
    static final int FAILED = 1;
    static final int USAGE = 2;

    private final Env env;
    private final PullOptions pullOptions;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    public ModelsCommand() {
        this(Env.system(), PullOptions.defaults());
    }

    public ModelsCommand(Env env) {
        this(env, PullOptions.defaults());
    }

    public ModelsCommand(Env env, PullOptions pullOptions) {
        this.env = env;
        this.pullOptions = pullOptions;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    /** {@code --home} and {@code --models-dir}, shared by every subcommand. */
    static final class StoreOptions {
        @Option(names = "--home", paramLabel = "DIR", description = "Tailgate home (default: $TAILGATE_HOME or ~/.tailgate); its local.yaml names models_dir and models.")
        Path home;

        @Option(names = "--models-dir", paramLabel = "DIR", description = "Models directory (overrides local.yaml's models_dir).")
        Path modelsDir;

        ModelStore open(Env env) {
            Path h = home != null ? home : StoreConfig.defaultHome(env);
            return new ModelStore(StoreConfig.load(h.toAbsolutePath(), modelsDir == null ? null : modelsDir.toAbsolutePath(), env));
        }

        /** {@code homeFlag}, and {@code --models-dir DIR} when one was given: what a printed command needs for this store. */
        String withModelsDir(String homeFlag) {
            return modelsDir == null ? homeFlag : homeFlag + " --models-dir " + HomeFlag.shellWord(modelsDir.toAbsolutePath().toString());
        }
    }

    /** Shared plumbing: writers from picocli (so tests capture them) and one place mapping failures to exit codes. */
    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        ModelsCommand parent;

        @Spec
        CommandSpec spec;

        @Mixin
        StoreOptions store;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        @Override
        public final Integer call() {
            try {
                return run(store.open(parent.env));
            } catch (PullException e) {
                return fail(e.getMessage());
            } catch (IllegalArgumentException e) {
                return fail(e.getMessage()); // unreadable local.yaml, bad HF_ENDPOINT
            } catch (IOException e) {
                return fail(e.getMessage() == null ? e.toString() : e.getMessage());
            } finally {
                out().flush();
                err().flush();
            }
        }

        /** What a printed command adds to act on {@code home} ({@link HomeFlag}; the default home from this command's env). */
        String homeFlag(Path home) {
            return HomeFlag.of(home, parent.env.userHome().toString());
        }

        int fail(String message) {
            err().println("tailgate: " + message); // same prefix as Main's failure handler
            return FAILED;
        }

        abstract int run(ModelStore store) throws PullException, IOException;
    }

    @Command(name = "pull",
            description = "Download a model (catalog name, a model in local.yaml with a source, or hf://OWNER/REPO[@REV]/FILE); "
                    + "resumes an interrupted download, verifies the hub's SHA-256. Uses HF_TOKEN and HF_ENDPOINT.")
    static final class Pull extends Sub {
        @Parameters(arity = "1..*", paramLabel = "NAME",
                description = "qwen2.5-0.5b-instruct, whisper-base.en, kokoro, piper-en_US-lessac-medium, ... (see list --catalog)"
                        + " or hf://OWNER/REPO/FILE")
        List<String> names;

        @Override
        int run(ModelStore store) throws PullException {
            HubAccess access = HubAccess.from(parent.env);
            List<ModelStore.Planned> plan = new java.util.ArrayList<>();
            for (String name : names) plan.addAll(store.plan(name)); // every name checked before any download starts
            try (ModelPuller puller = new ModelPuller(access, parent.pullOptions)) {
                for (ModelStore.Planned item : plan) {
                    err().println("pulling " + item.source() + " -> " + item.target());
                    err().flush();
                    ProgressPrinter progress = new ProgressPrinter(err(), parent.env.stderrIsTerminal(), parent.pullOptions.ticker());
                    PullResult r = puller.pull(item.source(), item.target(), progress);
                    out().println(describe(r));
                    out().flush();
                }
            }
            return 0;
        }

        private static String describe(PullResult r) {
            String how = switch (r.outcome()) {
                case DOWNLOADED -> "downloaded";
                case RESUMED -> "downloaded (resumed at " + ByteSizes.format(r.resumedFrom()) + ")";
                case ALREADY_PRESENT -> "already present";
            };
            return how + ": " + r.file() + "  " + ByteSizes.format(r.size()) + "  sha256 " + r.sha256() + " (verified)";
        }
    }

    @Command(name = "list", aliases = "ls",
            description = "Model files in the models directory: size, SHA-256, which configured model uses each.")
    static final class ListFiles extends Sub {
        @Option(names = "--catalog", description = "Also list the names `pull` knows.")
        boolean catalog;

        @Option(names = "--json", description = "Print files, missing models (and the catalog) as JSON.")
        boolean json;

        @Override
        int run(ModelStore store) throws IOException {
            List<ModelStore.StoredFile> files = store.list();
            PrintWriter out = out();
            String flags = this.store.withModelsDir(homeFlag(store.config().home()));
            if (json) {
                out.println(asJson(store, files, flags).toPrettyString());
                return 0;
            }
            if (files.isEmpty()) {
                out.println("no model files in " + store.modelsDir() + " (try: tailgate models pull qwen2.5-0.5b-instruct" + flags + ")");
            } else {
                out.println("models in " + store.modelsDir());
                int width = Math.max(4, files.stream().mapToInt(f -> label(f).length()).max().orElse(4));
                String format = "%-" + width + "s  %10s  %-64s  %s%n";
                out.printf(Locale.ROOT, format, "FILE", "SIZE", "SHA256", "USED BY");
                for (ModelStore.StoredFile f : files) {
                    out.printf(Locale.ROOT, format, label(f), ByteSizes.format(f.size()), f.sha256() == null ? "-" : f.sha256(),
                            f.usedBy().isEmpty() ? "-" : String.join(", ", f.usedBy()));
                }
            }
            for (StoreConfig.ConfiguredModel m : store.missing()) {
                out.println("not downloaded: " + m.name() + " (" + m.file().getFileName() + ")"
                        + (m.source() != null || ModelCatalog.find(m.name()).isPresent() ? " — run: tailgate models pull " + m.name() + flags : ""));
            }
            if (catalog) {
                out.println("catalog:");
                for (ModelCatalog.Entry e : ModelCatalog.entries()) out.printf(Locale.ROOT, "  %-24s %s%n", e.name(), e.description());
            }
            return 0;
        }

        private com.fasterxml.jackson.databind.node.ObjectNode asJson(ModelStore store, List<ModelStore.StoredFile> files, String flags) {
            var root = dev.tailgate.wire.Json.object();
            root.put("models_dir", store.modelsDir().toString());
            var fa = root.putArray("files");
            for (ModelStore.StoredFile f : files) {
                var o = fa.addObject();
                o.put("file", f.file().getFileName().toString());
                o.put("size_bytes", f.size());
                if (f.sha256() == null) o.putNull("sha256"); else o.put("sha256", f.sha256());
                o.put("partial", f.partial());
                f.usedBy().forEach(o.putArray("used_by")::add);
            }
            var missing = root.putArray("missing");
            for (StoreConfig.ConfiguredModel m : store.missing()) {
                var o = missing.addObject();
                o.put("model", m.name());
                o.put("file", m.file().toString());
                o.put("pull", "tailgate models pull " + m.name() + flags);
            }
            if (catalog) {
                var c = root.putArray("catalog");
                for (ModelCatalog.Entry e : ModelCatalog.entries()) c.addObject().put("name", e.name()).put("description", e.description());
            }
            return root;
        }

        private static String label(ModelStore.StoredFile f) {
            String name = f.file().getFileName().toString();
            return f.partial() ? name.substring(0, name.length() - ".partial".length()) + " (unfinished: pull again to resume)" : name;
        }
    }

    @Command(name = "rm", aliases = "remove",
            description = "Delete a model file (by model name or file name) with its checksum and any unfinished download.")
    static final class Remove extends Sub {
        @Parameters(arity = "1..*", paramLabel = "NAME", description = "a model name (as for pull) or a file name in the models directory")
        List<String> names;

        @Override
        int run(ModelStore store) throws PullException {
            for (String name : names) {
                for (ModelStore.Removed r : store.remove(name)) {
                    out().println("removed " + r.file().getFileName() + " (" + ByteSizes.format(r.bytes()) + ") from " + r.file().getParent());
                }
            }
            return 0;
        }
    }

    /** For running the command alone (the launcher registers it under {@code Main}). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ModelsCommand()).execute(args));
    }
}
