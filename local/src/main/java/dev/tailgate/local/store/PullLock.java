package dev.tailgate.local.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An OS file lock on {@code <file>.lock} so two pulls (in this process or another) never write the same partial.
 * The lock file itself stays (deleting it would let a waiter lock an unlinked inode while a third process locks a
 * new one); the OS releases the lock if the process dies.
 */
final class PullLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private PullLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static Path lockFileFor(Path target) {
        return target.resolveSibling(target.getFileName() + ".lock");
    }

    static PullLock acquire(Path target) throws PullException {
        Path lockFile = lockFileFor(target);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) throw busy(target, channel);
            return new PullLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            throw busy(target, channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new PullException(PullException.Kind.DISK, "cannot create the lock file " + lockFile + ": " + e.getMessage(), e);
        }
    }

    private static PullException busy(Path target, FileChannel channel) {
        closeQuietly(channel);
        return new PullException(PullException.Kind.BUSY, "another pull of " + target.getFileName() + " is running (lock " + lockFileFor(target) + " is held)");
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: we are already reporting the real problem
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        closeQuietly(channel);
    }
}
