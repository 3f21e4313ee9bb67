package dev.tailgate.app;

import dev.tailgate.wire.Printable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tailgate keys create|list|rm}: client keys for the gateway, stored as SHA-256 hashes. */
@Command(name = "keys", description = "Create, list and remove client keys (only their hashes are stored).",
        mixinStandardHelpOptions = true,
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Remove.class})
public final class KeysCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a keys command: create, list or rm.");
    }

    @Command(name = "create", description = "Create a client key, print it once, store its SHA-256 hash.",
            mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "A name for the client (letters, digits, . _ -).")
        String name;

        @Option(names = "--private", description = "Every request with this key stays on local providers.")
        boolean isPrivate;

        @Option(names = "--models", split = ",", paramLabel = "a,b",
                description = "Model ids (globs) this key may use (default: *).")
        List<String> models;

        @Option(names = "--admin", description = "The key may also read /admin/*, the details of /status and the status page (/ui).")
        boolean admin;

        @Option(names = {"-q", "--quiet"}, description = "Print only the key (for scripts).")
        boolean quiet;

        @ArgGroup(exclusive = true)
        ClientsLocation where = new ClientsLocation();

        @Override
        public Integer call() {
            ClientsFile.validateName(name);
            List<String> allowed = cleanModels(models);
            Path file = where.resolve();
            String key = ClientKey.generate(new SecureRandom());
            ClientsFile.update(file, cf -> cf.add(name, ClientKey.sha256Hex(key), isPrivate, admin, allowed, where.flag()));
            PrintWriter out = spec.commandLine().getOut();
            if (quiet) {
                out.println(key);
            } else {
                out.printf("Created client '%s' (private: %s, admin: %s, models: %s) in %s%n",
                        Printable.escape(name), isPrivate ? "yes" : "no", admin ? "yes" : "no", Printable.escape(String.join(",", allowed)), file);
                out.println("Its key, shown only this once (only its SHA-256 hash is stored):");
                out.println();
                out.println("  " + key);
                out.println();
                out.println("A running gateway picks the new key up by itself (it re-reads the clients file when it changes).");
            }
            out.flush();
            return Main.OK;
        }

        private static List<String> cleanModels(List<String> given) {
            List<String> out = new ArrayList<>();
            if (given != null) {
                for (String m : given) {
                    if (!m.isBlank()) out.add(m.trim());
                }
            }
            if (given == null) {
                out.add("*");
            } else if (out.isEmpty()) {
                // An empty list must not silently widen to "every model".
                throw new UserError("--models needs at least one model id or glob (e.g. --models qwen,embeddings)", Main.USAGE);
            }
            return out;
        }
    }

    @Command(name = "list", description = "List client names, whether they are private, and their models.",
            mixinStandardHelpOptions = true)
    static final class ListKeys implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @ArgGroup(exclusive = true)
        ClientsLocation where = new ClientsLocation();

        @Option(names = "--json", description = "Print the clients as a JSON array.")
        boolean json;

        @Override
        public Integer call() {
            Path file = where.resolve();
            ClientsFile cf = ClientsFile.load(file);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                var arr = dev.tailgate.wire.Json.MAPPER.createArrayNode();
                for (ClientsFile.Client c : cf.clients()) {
                    var o = arr.addObject();
                    o.put("name", c.name());
                    o.put("private", c.isPrivate());
                    c.models().forEach(o.putArray("models")::add);
                    o.put("key", c.keyRef());
                }
                out.println(arr.toPrettyString());
                out.flush();
                return Main.OK;
            }
            if (cf.clients().isEmpty()) {
                out.println("No clients in " + file + ". Create one with: tailgate keys create NAME" + where.flag());
                out.flush();
                return Main.OK;
            }
            TextTable table = new TextTable("NAME", "PRIVATE", "ADMIN", "MODELS", "KEY");
            for (ClientsFile.Client c : cf.clients()) {
                table.row(c.name(), c.isPrivate() ? "yes" : "no", c.admin() ? "yes" : "no", String.join(",", c.models()), c.keyRef());
            }
            table.print(out);
            out.flush();
            return Main.OK;
        }
    }

    @Command(name = "rm", description = "Remove a client (a running gateway stops accepting its key when it re-reads the file).",
            mixinStandardHelpOptions = true)
    static final class Remove implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @ArgGroup(exclusive = true)
        ClientsLocation where = new ClientsLocation();

        @Override
        public Integer call() {
            Path file = where.resolve();
            ClientsFile.update(file, cf -> cf.remove(name));
            spec.commandLine().getOut().println("Removed client '" + Printable.escape(name) + "' from " + file);
            spec.commandLine().getOut().flush();
            return Main.OK;
        }
    }
}
