package dev.tailgate.testing.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF v3 file: header, metadata key/values, tensor infos, then tensor data, each tensor aligned to
 * {@link #ALIGNMENT} bytes. Little-endian throughout. Only the value types a llama.cpp model file needs are offered.
 * Tensor data is produced lazily by a {@link TensorData} callback so a 500 MB model never sits in the heap at once.
 */
public final class GgufWriter {
    public static final int ALIGNMENT = 32;
    private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32

    // GGUF metadata value types
    private static final int T_UINT32 = 4, T_INT32 = 5, T_FLOAT32 = 6, T_BOOL = 7, T_STRING = 8, T_ARRAY = 9;

    /** Fills {@code out} (exactly the tensor's byte size) with the tensor's encoded data. */
    @FunctionalInterface
    public interface TensorData {
        void write(OutputStream out) throws IOException;
    }

    private record Tensor(String name, long[] dims, GgmlType type, TensorData data) {
        long byteSize() {
            long elements = 1;
            for (long d : dims) elements *= d;
            return type.byteSize(elements);
        }
    }

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) { metadata.put(key, value); return this; }
    public GgufWriter putUInt32(String key, int value) { metadata.put(key, new UInt32(value)); return this; }
    public GgufWriter putFloat32(String key, float value) { metadata.put(key, value); return this; }
    public GgufWriter putBool(String key, boolean value) { metadata.put(key, value); return this; }
    public GgufWriter putStrings(String key, List<String> values) { metadata.put(key, new StringArray(values)); return this; }
    public GgufWriter putInt32s(String key, int[] values) { metadata.put(key, values); return this; }

    /** Adds a tensor; {@code dims} innermost first (ggml's ne0, ne1, ...). */
    public GgufWriter addTensor(String name, long[] dims, GgmlType type, TensorData data) {
        if (dims.length > 0 && dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": ne0=" + dims[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        tensors.add(new Tensor(name, dims.clone(), type, data));
        return this;
    }

    private record UInt32(int value) {}
    private record StringArray(List<String> values) {}

    public void write(Path file) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             CountingStream out = new CountingStream(new BufferedOutputStream(raw, 1 << 20))) {
            out.u32(MAGIC);
            out.u32(3);
            out.u64(tensors.size());
            out.u64(metadata.size());
            for (var e : metadata.entrySet()) {
                out.string(e.getKey());
                writeValue(out, e.getValue());
            }
            long offset = 0;
            for (Tensor t : tensors) {
                out.string(t.name());
                out.u32(t.dims().length);
                for (long d : t.dims()) out.u64(d);
                out.u32(t.type().id());
                out.u64(offset);
                offset = align(offset + t.byteSize());
            }
            out.pad();
            for (Tensor t : tensors) {
                long before = out.count;
                t.data().write(out);
                long written = out.count - before;
                if (written != t.byteSize()) {
                    throw new IllegalStateException(t.name() + ": wrote " + written + " bytes, expected " + t.byteSize());
                }
                out.pad();
            }
        }
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writeValue(CountingStream out, Object v) throws IOException {
        switch (v) {
            case String s -> { out.u32(T_STRING); out.string(s); }
            case UInt32 u -> { out.u32(T_UINT32); out.u32(u.value()); }
            case Float f -> { out.u32(T_FLOAT32); out.u32(Float.floatToRawIntBits(f)); }
            case Boolean b -> { out.u32(T_BOOL); out.write(b ? 1 : 0); }
            case StringArray a -> {
                out.u32(T_ARRAY); out.u32(T_STRING); out.u64(a.values().size());
                for (String s : a.values()) out.string(s);
            }
            case int[] a -> {
                out.u32(T_ARRAY); out.u32(T_INT32); out.u64(a.length);
                for (int i : a) out.u32(i);
            }
            default -> throw new IllegalArgumentException("unsupported metadata value " + v.getClass());
        }
    }

    /** Little-endian primitive writer that knows its position (for alignment padding). */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long count;

        CountingStream(OutputStream out) { this.out = out; }

        @Override public void write(int b) throws IOException { out.write(b); count++; }
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); count += len; }
        @Override public void close() throws IOException { out.close(); }

        void u32(int v) throws IOException { scratch.clear(); scratch.putInt(v); write(scratch.array(), 0, 4); }
        void u64(long v) throws IOException { scratch.clear(); scratch.putLong(v); write(scratch.array(), 0, 8); }
        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            write(b, 0, b.length);
        }
        void pad() throws IOException {
            while (count % ALIGNMENT != 0) write(0);
        }
    }
}
