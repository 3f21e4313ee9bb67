package dev.tailgate.local.engine.audio;

import java.io.OutputStream;
import java.util.Arrays;
import org.bytedeco.javacv.Seekable;

/**
 * An in-memory output FFmpeg may seek in, so muxers that patch their header at the end (WAV sizes, FLAC stream info)
 * can. Bounded by what one response may hold.
 */
public final class SeekableBuffer extends OutputStream implements Seekable {
    /** An hour of 24 kHz 16-bit mono is 173 MB; no speech response comes near this. */
    static final int MAX_BYTES = 256 << 20;

    private byte[] data = new byte[64 << 10];
    private int size;
    private int position;

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        int end = position + len;
        if (end > MAX_BYTES) throw new IllegalStateException("encoded audio exceeds " + MAX_BYTES + " bytes");
        if (end > data.length) data = Arrays.copyOf(data, Math.max(end, Math.min(MAX_BYTES, data.length * 2)));
        System.arraycopy(b, off, data, position, len);
        position = end;
        size = Math.max(size, end);
    }

    /** {@code whence}: 0 = from the start, 1 = from the current position, 2 = from the end (as fseek). */
    @Override
    public void seek(long offset, int whence) {
        long target = switch (whence) {
            case 0 -> offset;
            case 1 -> position + offset;
            case 2 -> size + offset;
            default -> throw new IllegalArgumentException("whence " + whence);
        };
        if (target < 0 || target > MAX_BYTES) throw new IllegalArgumentException("seek to " + target);
        if (target > size) write(new byte[(int) (target - size)], 0, (int) (target - size));
        position = (int) target;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(data, size);
    }
}
