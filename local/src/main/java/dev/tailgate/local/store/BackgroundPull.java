package dev.tailgate.local.store;

import java.io.PrintWriter;
import java.util.List;

/**
 * Downloads one configured model's files on a background thread while the services already serve (first start:
 * chat works once the file is there, without a restart, because a model's file is checked on every use).
 * Progress goes to {@link Downloads} (for {@code /status} and {@code ps}) and to a printer; the outcome is one line.
 * An unreachable hub is said once, with the command that pulls later.
 */
public final class BackgroundPull {
    private final HubAccess access;
    private final PullOptions options;
    private final Downloads downloads;
    private final PrintWriter err;
    private final String commandSuffix;

    /** {@code commandSuffix}: appended to the commands the messages name (e.g. {@code " --home DIR"}), or empty. */
    public BackgroundPull(HubAccess access, PullOptions options, Downloads downloads, PrintWriter err, String commandSuffix) {
        this.access = access;
        this.options = options;
        this.downloads = downloads;
        this.err = err;
        this.commandSuffix = commandSuffix;
    }

    /** Starts pulling {@code modelId}'s planned files; the returned thread ends with the pull. */
    public Thread start(String modelId, List<ModelStore.Planned> plan) {
        return Thread.ofVirtual().name("pull-" + modelId).start(() -> run(modelId, plan));
    }

    private void run(String modelId, List<ModelStore.Planned> plan) {
        PullProgress status = downloads.track(modelId, options.ticker());
        try (ModelPuller puller = new ModelPuller(access, options)) {
            for (ModelStore.Planned item : plan) {
                // said once the hub answered and the transfer starts: offline, the only line is the one below
                String announce = "tailgate: downloading model '" + modelId + "' in the background (" + item.source()
                        + "); chat answers once it is there. Progress: tailgate ps" + commandSuffix;
                PullProgress printer = new ProgressPrinter(err, false, options.ticker());
                puller.pull(item.source(), item.target(), both(status, announcing(announce, printer)));
            }
            say("tailgate: model '" + modelId + "' downloaded; chat is ready");
        } catch (PullException e) {
            if (e.kind() == PullException.Kind.NETWORK) {
                say("tailgate: the model hub (" + access.endpoint() + ") is not reachable (" + e.getMessage() + "), so model '" + modelId
                        + "' was not downloaded; when online run: tailgate models pull " + modelId + commandSuffix);
            } else {
                say("tailgate: downloading model '" + modelId + "' failed: " + e.getMessage()
                        + " (retry: tailgate models pull " + modelId + commandSuffix + ")");
            }
        } catch (RuntimeException e) {
            say("tailgate: downloading model '" + modelId + "' failed: " + e + " (retry: tailgate models pull " + modelId
                    + commandSuffix + ")");
        } finally {
            downloads.ended(modelId);
        }
    }

    private synchronized void say(String line) {
        err.println(line);
        err.flush();
    }

    /** {@code printer}, with {@code line} said before the first transfer of this item starts. */
    private PullProgress announcing(String line, PullProgress printer) {
        return new PullProgress() {
            private boolean said;

            @Override
            public void started(String fileName, long totalBytes, long alreadyHave) {
                if (!said) say(line);
                said = true;
                printer.started(fileName, totalBytes, alreadyHave);
            }

            @Override
            public void advanced(long bytesOnDisk) {
                printer.advanced(bytesOnDisk);
            }

            @Override
            public void finished() {
                printer.finished();
            }
        };
    }

    private static PullProgress both(PullProgress a, PullProgress b) {
        return new PullProgress() {
            @Override
            public void started(String fileName, long totalBytes, long alreadyHave) {
                a.started(fileName, totalBytes, alreadyHave);
                b.started(fileName, totalBytes, alreadyHave);
            }

            @Override
            public void advanced(long bytesOnDisk) {
                a.advanced(bytesOnDisk);
                b.advanced(bytesOnDisk);
            }

            @Override
            public void finished() {
                a.finished();
                b.finished();
            }
        };
    }
}
