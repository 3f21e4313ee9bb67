package dev.tailgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Holds DEVELOPERS.md's rule that every test class carries a class-level JUnit {@code @Timeout}, so a hung test fails
 * on its own instead of waiting for surefire's fork timeout. Scans the test sources of every module listed in the root
 * pom; a file counts as a test class when it has a Jupiter test annotation. jqwik-only classes ({@code @Property},
 * {@code @Example}) run on jqwik's engine, which ignores {@code @Timeout}, so they are not scanned.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TestClassTimeoutsTest {
    private static final Pattern JUPITER_TEST =
            Pattern.compile("(?m)^\\s*@(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate)\\b");
    /** Top-level annotations start in column 0; nested classes are indented and inherit the enclosing timeout. */
    private static final Pattern CLASS_TIMEOUT = Pattern.compile("(?m)^@Timeout\\b");
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

    @Test
    void everyTestClassInEveryModuleHasAClassLevelTimeout() throws IOException {
        Path root = repositoryRoot();
        List<Path> testClasses = new ArrayList<>();
        List<String> withoutTimeout = new ArrayList<>();
        for (Path file : testSources(root)) {
            String source = Files.readString(file);
            if (!JUPITER_TEST.matcher(source).find()) continue;
            testClasses.add(file);
            if (!CLASS_TIMEOUT.matcher(source).find()) withoutTimeout.add(root.relativize(file).toString());
        }
        // A wrong root or module list would find nothing and pass; this class itself must have been scanned.
        assertThat(testClasses).contains(root.resolve(
                "testing/src/test/java/dev/tailgate/testing/TestClassTimeoutsTest.java"));
        assertThat(withoutTimeout)
                .as("test classes without a class-level @Timeout(value = N, unit = TimeUnit.SECONDS)")
                .isEmpty();
    }

    private static List<Path> testSources(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        Matcher modules = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        while (modules.find()) {
            Path dir = root.resolve(modules.group(1).trim()).resolve("src/test/java");
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    /** The folder holding the parent pom: tests run in a module folder. */
    private static Path repositoryRoot() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom).contains("<modules>")) return dir;
        }
        throw new IllegalStateException("no parent pom above " + Path.of("").toAbsolutePath());
    }
}
