package dev.tailgate.testing.hub;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** The bytes of a file on the fake hub: given, or generated deterministically so big files need no memory. */
interface HubContent {
    long size();

    /** Writes bytes [from, from + length) to {@code out}, in chunks so faults can interleave. */
    void write(long from, long length, ChunkWriter out) throws IOException;

    interface ChunkWriter {
        void write(byte[] b, int off, int len) throws IOException;
    }

    static HubContent of(byte[] bytes) {
        byte[] copy = bytes.clone();
        return new HubContent() {
            @Override
            public long size() {
                return copy.length;
            }

            @Override
            public void write(long from, long length, ChunkWriter out) throws IOException {
                int pos = (int) from;
                int end = (int) (from + length);
                while (pos < end) {
                    int n = Math.min(16 * 1024, end - pos);
                    out.write(copy, pos, n);
                    pos += n;
                }
            }
        };
    }

    /** Pseudo-random bytes: block k (64 KiB) comes from a generator seeded with (seed, k), so any range is cheap. */
    static HubContent generated(long size, long seed) {
        int block = 64 * 1024;
        return new HubContent() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public void write(long from, long length, ChunkWriter out) throws IOException {
                byte[] buffer = new byte[block];
                long pos = from;
                long end = from + length;
                while (pos < end) {
                    long k = pos / block;
                    new SplittableRandom(seed * 0x9E3779B97F4A7C15L + k).nextBytes(buffer);
                    int off = (int) (pos - k * block);
                    int n = (int) Math.min(block - off, end - pos);
                    out.write(buffer, off, n);
                    pos += n;
                }
            }
        };
    }

    static String digestHex(HubContent content, String algorithm, byte[] prefix) {
        try {
            MessageDigest d = MessageDigest.getInstance(algorithm);
            d.update(prefix);
            content.write(0, content.size(), d::update);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void writeAll(HubContent content, OutputStream out) throws IOException {
        content.write(0, content.size(), out::write);
    }
}
