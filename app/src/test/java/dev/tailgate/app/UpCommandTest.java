package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpCommandTest {
    private static final Pattern KEY = Pattern.compile("tg-[A-Za-z0-9_-]{43}");

    @TempDir
    Path home;

    final FakeServices services = new FakeServices();
    /** Simulates SIGTERM: the stop action runs as soon as the services are up. */
    final SimulatedSignal signalAtOnce = new SimulatedSignal();

    CliRun up(String... extra) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == UpCommand.class) return cls.cast(new UpCommand(services, signalAtOnce));
                if (cls == GatewayCommand.class) return cls.cast(new GatewayCommand(services, signalAtOnce));
                if (cls == LocalCommand.class) return cls.cast(new LocalCommand(services, signalAtOnce));
                return CommandLine.defaultFactory().create(cls);
            }
        };
        String[] args = new String[extra.length + 3];
        args[0] = "up";
        args[1] = "--home";
        args[2] = home.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        return CliRun.with(factory, args);
    }

    @Test
    void firstStartWritesConfigsPrintsOneKeyAndStoresOnlyItsHash() throws Exception {
        CliRun r = up();
        assertThat(r.code()).as(r.toString()).isZero();

        assertThat(home.resolve("gateway.yaml")).exists();
        assertThat(home.resolve("local.yaml")).exists();
        assertThat(home.resolve("clients.yaml")).exists();
        assertThat(services.gatewayConfig).isEqualTo(home.resolve("gateway.yaml"));
        assertThat(services.localConfig).isEqualTo(home.resolve("local.yaml"));

        Matcher m = KEY.matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        String key = m.group();
        // The key appears in the banner and the curl examples, but it is one key.
        assertThat(KEY.matcher(r.out()).results().map(x -> x.group()).distinct()).containsExactly(key);
        assertThat(r.out()).contains("Base URL: http://127.0.0.1:18080/v1").contains("curl http://127.0.0.1:18080/v1/models");
        // every command the banner suggests acts on this home, not on ~/.tailgate
        assertThat(r.out()).containsPattern("or: tailgate models pull \\S+ --home " + java.util.regex.Pattern.quote(home.toString()) + "\\)")
                .contains("Health: tailgate status --home " + home).contains("Models: tailgate ps --home " + home);

        String clients = Files.readString(home.resolve("clients.yaml"));
        assertThat(clients).doesNotContain(key).contains(ClientKey.sha256Hex(key));
        ClientsFile cf = ClientsFile.load(home.resolve("clients.yaml"));
        assertThat(ClientKey.matches(key, cf.keySha256(UpCommand.FIRST_CLIENT))).isTrue();
    }

    @Test
    void startsLocalBeforeTheGatewayAndStopsInReverseOrder() {
        CliRun r = up();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(services.events).containsExactly("start local", "start gateway", "stop gateway", "stop local");
        assertThat(r.err()).contains("gateway stopped").contains("qwen-local stopped");
    }

    @Test
    void aSecondStartKeepsConfigsAndPrintsNoNewKey() throws Exception {
        assertThat(up().code()).isZero();
        Files.writeString(home.resolve("gateway.yaml"), "# edited by the user\nlisten: 127.0.0.1:9999\n");
        String clientsBefore = Files.readString(home.resolve("clients.yaml"));

        CliRun second = up();
        assertThat(second.code()).as(second.toString()).isZero();
        assertThat(KEY.matcher(second.out()).find()).as(second.out()).isFalse();
        assertThat(Files.readString(home.resolve("gateway.yaml"))).startsWith("# edited by the user");
        assertThat(Files.readString(home.resolve("clients.yaml"))).isEqualTo(clientsBefore);
        assertThat(second.out()).contains("Base URL: http://127.0.0.1:18080/v1");
    }

    @Test
    void withoutQwenLocalTheGatewayStillStartsWithAWarning() {
        services.localFailure = () -> new Services.NotAvailable("qwen-local");
        CliRun r = up();
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).contains("warning: qwen-local is not available in this build yet");
        assertThat(services.events).containsExactly("start gateway", "stop gateway");
    }

    @Test
    void withoutAGatewayUpFailsButStillShowsTheKeyItCreated() {
        services.gatewayFailure = () -> new Services.NotAvailable("the gateway");
        CliRun r = up();
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).contains("tailgate: the gateway is not available in this build yet");
        assertThat(KEY.matcher(r.out()).find()).as("the stored key must not be lost").isTrue();
        assertThat(services.events).containsExactly("start local", "stop local");
    }

    @Test
    void aBusyPortIsExplainedInOneLine() {
        services.gatewayFailure = () -> Services.startFailure("the gateway", home.resolve("gateway.yaml"),
                new IllegalStateException("listen failed", new BindException("Address already in use")));
        CliRun r = up();
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(r.err()).contains("the gateway cannot listen: Address already in use").doesNotContain("\tat ");
        assertThat(services.events).containsExactly("start local", "stop local");
    }

    @Test
    void unexpectedFailuresShowAStackTraceOnlyWithVerbose() {
        services.gatewayFailure = () -> new IllegalStateException("boom");
        CliRun quiet = up();
        assertThat(quiet.code()).isEqualTo(Main.FAILURE);
        assertThat(quiet.err()).contains("tailgate: boom").contains("--verbose").doesNotContain("\tat ");

        CliRun verbose = up("--verbose");
        assertThat(verbose.code()).isEqualTo(Main.FAILURE);
        assertThat(verbose.err()).contains("tailgate: boom").contains("\tat ");
    }

    @Test
    void aSignalDuringStartUpStopsWhatStartedAndWhatWasStarting() {
        services.duringGatewayStart = signalAtOnce::signal;
        CliRun r = up();
        assertThat(r.code()).isEqualTo(Main.FAILURE);
        assertThat(services.events).containsExactly("start local", "start gateway", "stop local", "stop gateway");
        assertThat(r.out()).doesNotContain("Stop with Ctrl-C");
    }

    @Test
    void gatewayAndLocalCommandsRunOneServiceEachWithOverrides() throws Exception {
        Path gw = Files.writeString(home.resolve("g.yaml"), "listen: 127.0.0.1:8080\n");
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == GatewayCommand.class) return cls.cast(new GatewayCommand(services, signalAtOnce));
                if (cls == LocalCommand.class) return cls.cast(new LocalCommand(services, signalAtOnce));
                return CommandLine.defaultFactory().create(cls);
            }
        };
        CliRun g = CliRun.with(factory, "gateway", "--config", gw.toString(), "--port", "0");
        assertThat(g.code()).as(g.toString()).isZero();
        assertThat(g.err()).contains("gateway listening on port 0");
        CliRun l = CliRun.with(factory, "local", "--config", gw.toString(), "--port", "9");
        assertThat(l.code()).as(l.toString()).isZero();
        assertThat(services.events).isEqualTo(List.of("start gateway", "stop gateway", "start local", "stop local"));
    }
}
