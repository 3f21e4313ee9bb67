package dev.tailgate.local.store;

import java.nio.file.Path;

/** A verified model file on disk. {@code resumedFrom} is how many bytes an earlier attempt had already fetched. */
public record PullResult(HfSource source, Path file, long size, String sha256, Outcome outcome, long resumedFrom, String commit) {
    public enum Outcome { DOWNLOADED, RESUMED, ALREADY_PRESENT }
}
