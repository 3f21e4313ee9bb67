package dev.tailgate.testing.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyntheticGgufTest {
    @TempDir Path dir;

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
        byte[] a = Files.readAllBytes(SyntheticGguf.tiny().seed(1).write(dir.resolve("a.gguf")));
        byte[] b = Files.readAllBytes(SyntheticGguf.tiny().seed(1).write(dir.resolve("b.gguf")));
        byte[] c = Files.readAllBytes(SyntheticGguf.tiny().seed(2).write(dir.resolve("c.gguf")));
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a).hasSameSizeAs(a);
    }

    @Test
    void headerIsGgufV3AndDataIsAligned() throws Exception {
        byte[] f = Files.readAllBytes(SyntheticGguf.tiny().write(dir.resolve("t.gguf")));
        ByteBuffer buf = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(f, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("GGUF");
        assertThat(buf.getInt(4)).isEqualTo(3);
        assertThat(buf.getLong(8)).isEqualTo(3 + 2 * 12); // embeddings, output norm, output + 12 per qwen2 layer
        assertThat(f.length % GgufWriter.ALIGNMENT).isZero();
    }

    @Test
    void quantisedFilesAreSmaller() throws Exception {
        long f32 = Files.size(SyntheticGguf.tiny().type(GgmlType.F32).write(dir.resolve("f32.gguf")));
        long f16 = Files.size(SyntheticGguf.tiny().type(GgmlType.F16).write(dir.resolve("f16.gguf")));
        long q8 = Files.size(SyntheticGguf.tiny().type(GgmlType.Q8_0).write(dir.resolve("q8.gguf")));
        assertThat(f16).isLessThan(f32);
        assertThat(q8).isLessThan(f16);
    }

    @Test
    void q8BlocksRoundTripWithinOneStep() throws Exception {
        float[] values = new float[32];
        for (int i = 0; i < 32; i++) values[i] = (i - 16) / 10f;
        var out = new java.io.ByteArrayOutputStream();
        GgmlType.Q8_0.encode(values, out);
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.size()).isEqualTo(34);
        float d = Float.float16ToFloat(b.getShort(0));
        for (int i = 0; i < 32; i++) assertThat(b.get(2 + i) * d).isCloseTo(values[i], org.assertj.core.data.Offset.offset(d));
    }

    @Test
    void q4BlocksRoundTripWithinOneStep() throws Exception {
        float[] values = new float[32];
        for (int i = 0; i < 32; i++) values[i] = (i - 20) / 10f; // the largest magnitude is negative: -2.0
        var out = new java.io.ByteArrayOutputStream();
        GgmlType.Q4_0.encode(values, out);
        ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.size()).isEqualTo(18);
        float d = Float.float16ToFloat(b.getShort(0));
        assertThat(d).isCloseTo(0.25f, org.assertj.core.data.Offset.offset(1e-3f)); // -2.0 / -8
        for (int j = 0; j < 16; j++) {
            int packed = b.get(2 + j) & 0xFF;
            assertThat(((packed & 0x0F) - 8) * d).isCloseTo(values[j], org.assertj.core.data.Offset.offset(d));
            assertThat(((packed >> 4) - 8) * d).isCloseTo(values[j + 16], org.assertj.core.data.Offset.offset(d));
        }
    }

    @Test
    void vocabularyCoversEveryByteOnce() {
        ByteLevelVocab v = new ByteLevelVocab();
        assertThat(ByteLevelVocab.byteToUnicode()).doesNotHaveDuplicates().hasSize(256);
        assertThat(v.tokens()).doesNotHaveDuplicates();
        assertThat(v.isSpecial(v.id(ByteLevelVocab.IM_END))).isTrue();
        assertThat(v.isSpecial(v.id("a"))).isFalse();
    }
}
