package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.store.ModelCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Every model name the docs and {@code models pull --help} give as something to pull is one {@code models pull} knows:
 * a name that is not in the catalog would fail as typed ("unknown model").
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CatalogNamesInDocsTest {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** {@code models pull NAME} with a concrete name: placeholders (NAME, ID) are upper case, sources hf://… */
    static final Pattern PULLED = Pattern.compile("models pull (?!hf://)([a-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])");

    static List<Path> docs() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("local/README.md")));
        try (Stream<Path> d = Files.walk(ROOT.resolve("docs"))) {
            d.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    /** The examples in the description of {@code models pull}'s NAME: the comma list before "(see list --catalog)". */
    static List<String> helpExamples() {
        CommandLine pull = new CommandLine(new ModelsCommand()).getSubcommands().get("pull");
        String description = String.join(" ", pull.getCommandSpec().positionalParameters().getFirst().description());
        int end = description.indexOf("(see list --catalog)");
        assertThat(end).as(description).isPositive();
        return Arrays.stream(description.substring(0, end).split(","))
                .map(String::strip).filter(s -> !s.isEmpty() && !s.equals("...")).toList();
    }

    @Test
    void pullsHelpExamplesAreCatalogNamesAndIncludeAPiperVoice() {
        List<String> examples = helpExamples();
        assertThat(examples).contains("qwen2.5-0.5b-instruct", "kokoro", "piper-en_US-lessac-medium");
        assertThat(examples).allSatisfy(name -> assertThat(ModelCatalog.find(name)).as(name).isPresent());
    }

    @Test
    void everyNameTheDocsSayToPullIsInTheCatalog() throws IOException {
        Map<String, String> named = new LinkedHashMap<>(); // name -> where it was seen
        for (Path doc : docs()) {
            Matcher m = PULLED.matcher(Files.readString(doc));
            while (m.find()) named.putIfAbsent(m.group(1), ROOT.relativize(doc).toString());
        }
        assertThat(named).as("the docs name models to pull").containsKeys("qwen2.5-0.5b-instruct", "kokoro",
                "piper-en_US-lessac-medium");
        named.forEach((name, doc) -> assertThat(ModelCatalog.find(name)).as(name + " in " + doc).isPresent());
    }
}
