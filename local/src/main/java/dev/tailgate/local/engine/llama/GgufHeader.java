package dev.tailgate.local.engine.llama;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The scalar metadata of a GGUF file, read by us before llama.cpp ever sees the file: the native loader aborts the
 * whole process on some malformed or unsupported files, so anything we can refuse, we refuse here with words.
 * Arrays (the vocabulary, merges) are skipped, not kept.
 */
public record GgufHeader(int version, long tensorCount, Map<String, Object> metadata) {

    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    private static final long MAX_STRING = 64L << 20;
    private static final long MAX_COUNT = 1L << 32;

    public String architecture() {
        return metadata.get("general.architecture") instanceof String s ? s : null;
    }

    public String string(String key) {
        return metadata.get(key) instanceof String s ? s : null;
    }

    /** Reads the header. Throws {@link IOException} with a user-facing message when the file is not a readable GGUF. */
    public static GgufHeader read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("model file not found: " + file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            LittleEndian le = new LittleEndian(new DataInputStream(in));
            if (le.u32() != MAGIC) throw new IOException(file.getFileName() + " is not a GGUF file (bad magic)");
            int version = le.u32();
            if (version < 2 || version > 3) throw new IOException(file.getFileName() + ": unsupported GGUF version " + version);
            long tensors = le.u64();
            long kvs = le.u64();
            if (tensors < 0 || kvs < 0 || kvs > MAX_COUNT) throw new IOException(file.getFileName() + ": corrupt GGUF header");
            Map<String, Object> meta = new HashMap<>();
            for (long i = 0; i < kvs; i++) {
                String key = le.string();
                int type = le.u32();
                Object value = le.value(type);
                if (value != null) meta.put(key, value);
            }
            return new GgufHeader(version, tensors, Map.copyOf(meta));
        } catch (EOFException e) {
            throw new IOException(file.getFileName() + ": truncated GGUF file");
        }
    }

    private record LittleEndian(DataInputStream in) {
        int u32() throws IOException { return Integer.reverseBytes(in.readInt()); }
        long u64() throws IOException { return Long.reverseBytes(in.readLong()); }

        String string() throws IOException {
            long len = u64();
            if (len < 0 || len > MAX_STRING) throw new IOException("corrupt GGUF string length " + len);
            return new String(in.readNBytes((int) len), StandardCharsets.UTF_8);
        }

        /** Reads one value; returns it for scalars and strings, null for arrays (skipped). */
        Object value(int type) throws IOException {
            return switch (type) {
                case 0 -> (long) in.readUnsignedByte();
                case 1 -> (long) in.readByte();
                case 2 -> (long) Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
                case 3 -> (long) Short.reverseBytes(in.readShort());
                case 4 -> Integer.toUnsignedLong(u32());
                case 5 -> (long) u32();
                case 6 -> (double) Float.intBitsToFloat(u32());
                case 7 -> in.readUnsignedByte() != 0;
                case 8 -> string();
                case 9 -> { skipArray(); yield null; }
                case 10, 11 -> u64();
                case 12 -> Double.longBitsToDouble(u64());
                default -> throw new IOException("corrupt GGUF: unknown value type " + type);
            };
        }

        void skipArray() throws IOException {
            int elementType = u32();
            long n = u64();
            if (n < 0 || n > MAX_COUNT) throw new IOException("corrupt GGUF array length " + n);
            for (long i = 0; i < n; i++) value(elementType);
        }
    }
}
