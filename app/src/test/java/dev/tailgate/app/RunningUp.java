package dev.tailgate.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailgate.local.store.Env;
import dev.tailgate.local.store.PullOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * {@code tailgate up} with the real services on a thread of the test JVM, until {@link #stop()}: its output (stdout and
 * stderr together), the client key it printed, where it listens, and the command object (its background pull).
 */
final class RunningUp {
    private static final Pattern KEY = Pattern.compile("(?m)^\\s+(tg-[A-Za-z0-9_-]{43})$");

    final Path home;
    final StringWriter out = new StringWriter();
    final UpCommand command;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    String clientKey;
    HomeAddresses addresses;

    private RunningUp(Path home, Map<String, String> env, String... extraArgs) {
        this.home = home;
        RunUntilStopped waiter = new RunUntilStopped() {
            private volatile Runnable stopAll;

            @Override
            public void onStop(Runnable r) {
                stopAll = r;
            }

            @Override
            public void await() throws InterruptedException {
                stop.await();
                stopAll.run();
            }
        };
        command = new UpCommand(Services.REAL, waiter, Env.of(env, home), PullOptions.defaults());
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == UpCommand.class ? cls.cast(command) : CommandLine.defaultFactory().create(cls);
            }
        };
        String[] args = new String[3 + extraArgs.length];
        args[0] = "up";
        args[1] = "--home";
        args[2] = home.toString();
        System.arraycopy(extraArgs, 0, args, 3, extraArgs.length);
        PrintWriter w = new PrintWriter(out, true);
        thread = Thread.ofPlatform().start(() -> Main.run(w, w, factory, args));
    }

    /** Starts {@code up} and returns once it printed its banner (bounded wait). */
    static RunningUp start(Path home, Map<String, String> env, String... extraArgs) throws InterruptedException {
        RunningUp up = new RunningUp(home, env, extraArgs);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!up.out.toString().contains("Stop with Ctrl-C")) {
            assertThat(up.thread.isAlive()).as("up ended early:\n" + up.out).isTrue();
            assertThat(System.nanoTime()).as("up did not start:\n" + up.out).isLessThan(deadline);
            Thread.sleep(50); // polling the output of the thread running `up`, bounded by the deadline
        }
        Matcher m = KEY.matcher(up.out.toString());
        if (m.find()) up.clientKey = m.group(1);
        up.addresses = HomeAddresses.of(home);
        return up;
    }

    String localKey() {
        return LocalServiceLink.readKey(home);
    }

    /** As SIGTERM: stops the services and waits for {@code up} to return. */
    void stop() throws InterruptedException {
        stop.countDown();
        thread.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(thread.isAlive()).as("up did not stop").isFalse();
    }
}
