package dev.tailgate.app;

import dev.tailgate.local.LocalServer;
import dev.tailgate.wire.config.ConfigException;
import dev.tailgate.local.config.ConfigLoader;
import dev.tailgate.local.engine.llama.GgufHeader;
import dev.tailgate.local.store.ModelStore;
import dev.tailgate.local.store.StoreConfig;
import dev.tailgate.wire.ByteSizes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tailgate models import FILE [--name N]}: a GGUF already on disk becomes a configured model — local.yaml gets a
 * model on that file (by absolute path, nothing is copied) and gateway.yaml a route to it — after its header is read:
 * a file that is not GGUF is refused before any config changes. A running {@code up} serves it once it has reloaded
 * both files (they are polled every 2 s), without a restart.
 */
@Command(name = "import",
        description = "Configure a GGUF file on disk as a chat or embeddings model (local.yaml and gateway.yaml).")
final class ModelsImport extends ModelsCommand.Sub {
    /** Architectures llama.cpp runs as embedding models (no chat template, a pooled vector out). */
    private static final Set<String> EMBEDDING_ARCHITECTURES = Set.of("bert", "nomic-bert", "jina-bert-v2", "t5encoder", "modern-bert");

    @Parameters(index = "0", paramLabel = "FILE", description = "A .gguf model file.")
    Path file;

    @Option(names = "--name", paramLabel = "N", description = "Model id clients use (default: the file name without .gguf).")
    String name;

    @Option(names = "--capability", paramLabel = "C",
            description = "chat or embeddings (default: from the GGUF's architecture: bert-like = embeddings, else chat).")
    String capability;

    @Override
    int run(ModelStore store) throws IOException {
        Path gguf = Home.expand(file.toString(), System.getProperty("user.home"));
        GgufHeader header;
        try {
            if (Files.isRegularFile(gguf) && !startsWithMagic(gguf)) throw new IOException(gguf.getFileName() + " is not a GGUF file");
            header = GgufHeader.read(gguf);
        } catch (IOException e) {
            return fail("cannot import " + gguf + ": " + e.getMessage()
                    + " (models import takes a llama.cpp GGUF model file, *.gguf)");
        }
        String cap = capability != null ? capability.toLowerCase(Locale.ROOT)
                : EMBEDDING_ARCHITECTURES.contains(String.valueOf(header.architecture())) ? "embeddings" : "chat";
        if (!cap.equals("chat") && !cap.equals("embeddings")) return fail("--capability must be chat or embeddings");
        String id = name != null ? name : defaultName(gguf);
        if (!id.matches("[A-Za-z0-9._-]+")) return fail("--name '" + id + "' may use letters, digits, '.', '_' and '-' only");

        Path home = store.config().home();
        Path localYaml = home.resolve(StoreConfig.CONFIG_FILE);
        if (!Files.isRegularFile(localYaml)) {
            return fail(localYaml + " does not exist: run tailgate up" + homeFlag(home) + " once (it writes the default)");
        }
        String local = Files.readString(localYaml, StandardCharsets.UTF_8);
        if (store.config().models().containsKey(id)) {
            return fail("a model '" + id + "' is already in " + localYaml + "; pick another with --name");
        }
        String engine = cap.equals("chat") ? DefaultConfigs.ChatModel.detect() == DefaultConfigs.ChatModel.LLAMA_SERVER
                ? LocalServer.LLAMA_SERVER : "llama.cpp" : "llama.cpp";
        String block = id + ":\n  capability: " + cap + "\n  engine: " + engine + "\n  file: "
                + dev.tailgate.wire.Json.string(gguf.toString()) + "   # imported with tailgate models import\n";
        String updatedLocal = YamlBlocks.insertFirst(local, "models", block);
        try {
            new ConfigLoader(LocalServer.ENGINES).parse(updatedLocal, home);
        } catch (ConfigException e) {
            return fail("importing would make " + localYaml + " invalid (" + e.getMessage() + "); nothing was changed");
        }
        Path gatewayYaml = home.resolve(DefaultConfigs.GATEWAY);
        String updatedGateway = null;
        if (Files.isRegularFile(gatewayYaml)) {
            String gw = Files.readString(gatewayYaml, StandardCharsets.UTF_8);
            var models = ClientsFile.YAML.readTree(gw).path("models");
            if (!models.has(id)) updatedGateway = YamlBlocks.insertFirst(gw, "models", id + ":\n  targets: [local/" + id + "]\n");
        }
        AtomicFiles.write(localYaml, updatedLocal);
        if (updatedGateway != null) AtomicFiles.write(gatewayYaml, updatedGateway);
        out().println("imported " + gguf.getFileName() + " (" + ByteSizes.format(Files.size(gguf)) + ", GGUF v" + header.version()
                + ", " + (header.architecture() == null ? "unknown architecture" : header.architecture()) + ") as " + cap
                + " model '" + id + "' in " + localYaml + (updatedGateway != null ? " and " + gatewayYaml : ""));
        // both configs reload while up runs (file change, SIGHUP): the new model and its route apply without a restart
        out().println("a running tailgate up serves it within seconds, without a restart (it reloads both configs when they change)");
        return 0;
    }

    /** A GGUF file starts with the four bytes {@code GGUF}; a shorter or other file is not one (not "truncated"). */
    private static boolean startsWithMagic(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return java.util.Arrays.equals(in.readNBytes(4), "GGUF".getBytes(StandardCharsets.US_ASCII));
        }
    }

    static String defaultName(Path gguf) {
        String n = gguf.getFileName().toString();
        if (n.toLowerCase(Locale.ROOT).endsWith(".gguf")) n = n.substring(0, n.length() - 5);
        return n.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
