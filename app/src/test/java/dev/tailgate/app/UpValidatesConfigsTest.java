package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code up} checks both configs before it starts anything: a bad file starts neither service. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpValidatesConfigsTest {
    private static final Pattern KEY = Pattern.compile("tg-[A-Za-z0-9_-]{43}");

    @TempDir
    Path home;

    final FakeServices services = new FakeServices();

    CliRun up() {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == UpCommand.class) return cls.cast(new UpCommand(services, new SimulatedSignal()));
                return CommandLine.defaultFactory().create(cls);
            }
        };
        return CliRun.with(factory, "up", "--home", home.toString());
    }

    @Test
    void aBadGatewayYamlStartsNeitherServiceAndNamesLineAndKey() throws Exception {
        DefaultConfigs.writeMissing(home);
        Path gw = home.resolve("gateway.yaml");
        Files.writeString(gw, Files.readString(gw).replace("    timeout: 15m", "    timeout: 120"));
        CliRun r = up();
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).containsPattern("nothing started: gateway.yaml line \\d+: providers.local.timeout: '120' needs a unit: write 120s");
        assertThat(r.err()).as("nothing was started, so nothing is said to stop").doesNotContain("stopping");
        assertThat(services.events).as("qwen-local must not be left running").isEmpty();
        assertThat(KEY.matcher(r.out()).find()).as("the key created on this first start is still shown").isTrue();
    }

    @Test
    void aBadLocalYamlStartsNeitherService() throws Exception {
        DefaultConfigs.writeMissing(home);
        Path local = home.resolve("local.yaml");
        Files.writeString(local, Files.readString(local) + "memory_budget: 4GiB\n");
        CliRun r = up();
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).containsPattern("nothing started: .*local.yaml line \\d+: memory_budget: written twice \\(lines \\d+ and \\d+\\)");
        assertThat(services.events).isEmpty();
    }

    @Test
    void aBadPolicyKeyInGatewayYamlIsCaughtToo() throws Exception {
        DefaultConfigs.writeMissing(home);
        Path gw = home.resolve("gateway.yaml");
        Files.writeString(gw, Files.readString(gw) + "health:\n  probe_interval: soon\n");
        CliRun r = up();
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).containsPattern("nothing started: gateway.yaml line \\d+: health.probe_interval: 'soon' is not a duration");
        assertThat(services.events).isEmpty();
    }
}
