package dev.tailgate.testing.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The ggml tensor encodings the synthetic writer supports, with their GGUF type ids and block layouts. */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    /** Blocks of 32 values: one f16 scale then 32 signed bytes (34 bytes per block). */
    Q8_0(8, 32, 34),
    /**
     * Blocks of 32 values: one f16 scale d then 16 bytes of 4-bit codes q (value = (q - 8) · d), byte j holding value j
     * in its low nibble and value j + 16 in its high one (18 bytes per block), quantised as ggml's reference does.
     */
    Q4_0(2, 32, 18);

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int id() { return id; }
    public int blockSize() { return blockSize; }

    public long byteSize(long elements) {
        return elements / blockSize * blockBytes;
    }

    /** Encodes {@code values} (a whole number of blocks) in this type to {@code out}. */
    public void encode(float[] values, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) byteSize(values.length)).order(ByteOrder.LITTLE_ENDIAN);
        switch (this) {
            case F32 -> { for (float v : values) buf.putFloat(v); }
            case F16 -> { for (float v : values) buf.putShort(Float.floatToFloat16(v)); }
            case Q8_0 -> {
                for (int b = 0; b < values.length; b += 32) {
                    float amax = 0;
                    for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(values[b + i]));
                    float d = amax / 127f;
                    float inv = d == 0 ? 0 : 1f / d;
                    buf.putShort(Float.floatToFloat16(d));
                    for (int i = 0; i < 32; i++) buf.put((byte) Math.round(values[b + i] * inv));
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < values.length; b += 32) {
                    float amax = 0, max = 0; // the value of largest magnitude, with its sign
                    for (int i = 0; i < 32; i++) {
                        if (Math.abs(values[b + i]) > amax) {
                            amax = Math.abs(values[b + i]);
                            max = values[b + i];
                        }
                    }
                    float d = max / -8f;
                    float inv = d == 0 ? 0 : 1f / d;
                    buf.putShort(Float.floatToFloat16(d));
                    for (int j = 0; j < 16; j++) {
                        int lo = Math.min(15, (int) (values[b + j] * inv + 8.5f));
                        int hi = Math.min(15, (int) (values[b + 16 + j] * inv + 8.5f));
                        buf.put((byte) (lo | hi << 4));
                    }
                }
            }
        }
        out.write(buf.array());
    }
}
