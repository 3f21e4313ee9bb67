package dev.tailgate.local.store;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Streams a response body into the partial file at a given offset, hashing as it goes, one buffer list at a time
 * (back-pressure: the next chunk is requested only after this one is on disk, so memory stays bounded).
 * {@link #abort} stops it from another thread (the idle watchdog) and guarantees no write happens afterwards.
 */
final class FileSink implements HttpResponse.BodySubscriber<Long> {
    private final Path file;
    private final long offset;
    private final List<MessageDigest> digests;
    private final PullProgress progress;
    private final CompletableFuture<Long> result = new CompletableFuture<>();

    private FileChannel channel;
    private Flow.Subscription subscription;
    private long position;
    private volatile long lastActivityNanos = System.nanoTime();
    private boolean aborted;

    FileSink(Path file, long offset, List<MessageDigest> digests, PullProgress progress) {
        this.file = file;
        this.offset = offset;
        this.digests = digests;
        this.progress = progress;
        this.position = offset;
    }

    @Override
    public synchronized void onSubscribe(Flow.Subscription s) {
        subscription = s;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.truncate(offset); // 200 after a Range request: the server restarts from 0, so must we
            channel.position(offset);
        } catch (IOException e) {
            fail(new DiskFailure(e));
            return;
        }
        if (aborted) {
            s.cancel();
            return;
        }
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        synchronized (this) {
            if (aborted || result.isDone()) return;
            try {
                for (ByteBuffer buffer : buffers) {
                    for (MessageDigest d : digests) d.update(buffer.duplicate());
                    while (buffer.hasRemaining()) position += channel.write(buffer);
                }
            } catch (IOException e) {
                fail(new DiskFailure(e));
                return;
            }
            lastActivityNanos = System.nanoTime();
        }
        progress.advanced(position);
        subscription.request(1);
    }

    @Override
    public synchronized void onError(Throwable throwable) {
        closeChannel();
        result.completeExceptionally(throwable);
    }

    @Override
    public synchronized void onComplete() {
        if (aborted) return;
        try {
            channel.force(false); // on disk before the rename makes it look complete
            channel.close();
            result.complete(position);
        } catch (IOException e) {
            fail(new DiskFailure(e));
        }
    }

    @Override
    public CompletionStage<Long> getBody() {
        return result;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** Stops the transfer; after this returns the file is closed and never written again by this sink. */
    synchronized void abort() {
        aborted = true;
        if (subscription != null) subscription.cancel();
        closeChannel();
        result.completeExceptionally(new IOException("transfer aborted"));
    }

    private void fail(Throwable t) {
        aborted = true;
        if (subscription != null) subscription.cancel();
        closeChannel();
        result.completeExceptionally(t);
    }

    private void closeChannel() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the failure being reported is the interesting one
        }
    }

    /** A local disk problem (full, read-only), as opposed to a network one: not worth retrying. */
    static final class DiskFailure extends IOException {
        DiskFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
