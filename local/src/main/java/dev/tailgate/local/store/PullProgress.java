package dev.tailgate.local.store;

/**
 * Progress of one file's transfer. Called from HTTP client threads; implementations must be quick and never throw.
 */
public interface PullProgress {
    /** The transfer (re)starts: {@code alreadyHave} bytes are on disk from an earlier attempt. */
    void started(String fileName, long totalBytes, long alreadyHave);

    /** {@code bytesOnDisk} of {@code totalBytes} are now written (absolute, not a delta). */
    void advanced(long bytesOnDisk);

    /** The transfer ended (successfully or not); a redrawn bar finishes its line. */
    void finished();

    PullProgress NONE = new PullProgress() {
        @Override
        public void started(String fileName, long totalBytes, long alreadyHave) {}

        @Override
        public void advanced(long bytesOnDisk) {}

        @Override
        public void finished() {}
    };
}
