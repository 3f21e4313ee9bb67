package dev.tailgate.testing.kokoro;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny ONNX graph with Kokoro-82M's interface — inputs {@code input_ids} int64 [1,T], {@code style} float32 [1,256],
 * {@code speed} float32 [1]; output {@code waveform} float32 [N] — plus the files that go with it the way
 * {@code models pull kokoro} lays them out: {@code kokoro-tokenizer.json} (the symbol vocabulary) and one
 * {@code kokoro-voice-NAME.bin} style table per voice (float32 [510,1,256], little-endian).
 *
 * <p>The graph makes {@value #SAMPLES_PER_TOKEN} samples of a tone per input id (its pitch from the id), so the audio's
 * length follows the token count exactly; it reads {@code style} and {@code speed} so ONNX Runtime must be fed both.
 */
public final class SyntheticKokoroModel {
    public static final int SAMPLES_PER_TOKEN = 600;
    public static final int STYLE_ROWS = 510;
    public static final int STYLE_WIDTH = 256;
    /** Kokoro's symbols that English text reaches (its real vocabulary has these among ~178 entries). */
    static final String SYMBOLS = ";:,.!?—…\"() abcdefhijklmnopqrstuvwxyzæðŋɑɔəɛɜɡɪɹʃʊʌʒʤʧθˈˌːAIOWYQᵻɾʔ";

    private SyntheticKokoroModel() {}

    /** Writes {@code kokoro.onnx}, {@code kokoro-tokenizer.json} and the voices into {@code dir}; returns the model file. */
    public static Path write(Path dir, String... voices) throws IOException {
        Files.createDirectories(dir);
        Path model = dir.resolve("kokoro.onnx");
        Files.write(model, onnx());
        Files.writeString(dir.resolve("kokoro-tokenizer.json"), tokenizerJson());
        long seed = 1;
        for (String v : voices) Files.write(dir.resolve("kokoro-voice-" + v + ".bin"), styleTable(seed++));
        return model;
    }

    /** Symbol → id, as Kokoro's tokenizer.json {@code model.vocab} (0 is the pad/boundary id). */
    public static Map<String, Integer> vocab() {
        Map<String, Integer> v = new LinkedHashMap<>();
        v.put("$", 0);
        int id = 1;
        for (int cp : SYMBOLS.codePoints().toArray()) v.put(Character.toString(cp), id++);
        return v;
    }

    private static String tokenizerJson() {
        StringBuilder b = new StringBuilder("{\"model\": {\"vocab\": {");
        boolean first = true;
        for (var e : vocab().entrySet()) {
            if (!first) b.append(", ");
            first = false;
            String k = e.getKey().replace("\\", "\\\\").replace("\"", "\\\"");
            b.append('"').append(k).append("\": ").append(e.getValue());
        }
        return b.append("}}}").toString();
    }

    private static byte[] styleTable(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer buf = ByteBuffer.allocate(STYLE_ROWS * STYLE_WIDTH * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < STYLE_ROWS * STYLE_WIDTH; i++) buf.putFloat((float) r.nextDouble(-0.1, 0.1));
        return buf.array();
    }

    // ONNX field numbers (onnx.proto): ModelProto ir_version 1, graph 7, opset_import 8; GraphProto node 1, name 2,
    // initializer 5, input 11, output 12; NodeProto input 1, output 2, op_type 4, attribute 5; AttributeProto name 1,
    // f 2, i 3, ints 8, type 20; TensorProto dims 1, data_type 2, float_data 4, int64_data 7, name 8.
    static final int FLOAT = 1, INT64 = 7;
    static final int ATTR_INT = 2, ATTR_INTS = 7;

    static byte[] onnx() {
        Protobuf graph = new Protobuf().string(2, "synthetic-kokoro");
        graph.message(1, node("Cast", new String[] {"input_ids"}, "ids_f", new Protobuf().string(1, "to").varint(3, FLOAT).varint(20, ATTR_INT)));
        graph.message(1, node("Reshape", new String[] {"ids_f", "column_shape"}, "ids_col"));
        graph.message(1, node("MatMul", new String[] {"ids_col", "phase"}, "phases"));
        graph.message(1, node("Reshape", new String[] {"phases", "flat_shape"}, "flat"));
        graph.message(1, node("Sin", new String[] {"flat"}, "tone"));
        graph.message(1, node("Mul", new String[] {"tone", "amplitude"}, "scaled"));
        graph.message(1, node("ReduceMean", new String[] {"style"}, "style_mean", new Protobuf().string(1, "keepdims").varint(3, 0).varint(20, ATTR_INT)));
        graph.message(1, node("Mul", new String[] {"style_mean", "zero"}, "style_zero"));
        graph.message(1, node("Add", new String[] {"scaled", "style_zero"}, "with_style"));
        graph.message(1, node("Div", new String[] {"speed", "speed"}, "one"));
        graph.message(1, node("Mul", new String[] {"with_style", "one"}, "waveform"));
        graph.message(5, tensorInt64("column_shape", new long[] {2}, new long[] {-1, 1}));
        graph.message(5, tensorInt64("flat_shape", new long[] {1}, new long[] {-1}));
        float[] phase = new float[SAMPLES_PER_TOKEN];
        for (int k = 0; k < phase.length; k++) phase[k] = (float) (2 * Math.PI * k / 24_000 * 4); // id × 4 Hz
        graph.message(5, tensorFloat("phase", new long[] {1, SAMPLES_PER_TOKEN}, phase));
        graph.message(5, tensorFloat("amplitude", new long[] {}, new float[] {0.4f}));
        graph.message(5, tensorFloat("zero", new long[] {}, new float[] {0f}));
        graph.message(11, valueInfo("input_ids", INT64, 1, "T"));
        graph.message(11, valueInfo("style", FLOAT, 1, STYLE_WIDTH));
        graph.message(11, valueInfo("speed", FLOAT, 1));
        graph.message(12, valueInfo("waveform", FLOAT, "N"));
        return new Protobuf()
                .varint(1, 8)
                .string(2, "tailgate-tests")
                .message(7, graph)
                .message(8, new Protobuf().string(1, "").varint(2, 17))
                .toByteArray();
    }

    static Protobuf node(String op, String[] inputs, String output, Protobuf... attributes) {
        Protobuf n = new Protobuf();
        for (String i : inputs) n.string(1, i);
        n.string(2, output).string(3, output + "_node").string(4, op);
        for (Protobuf a : attributes) n.message(5, a);
        return n;
    }

    static Protobuf tensorInt64(String name, long[] dims, long[] values) {
        Protobuf t = new Protobuf();
        for (long d : dims) t.varint(1, d);
        t.varint(2, INT64);
        t.bytes(7, packedVarints(values));
        return t.string(8, name);
    }

    private static byte[] packedVarints(long[] values) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (long v : values) {
            long x = v;
            while ((x & ~0x7FL) != 0) {
                out.write((int) ((x & 0x7F) | 0x80));
                x >>>= 7;
            }
            out.write((int) x);
        }
        return out.toByteArray();
    }

    static Protobuf tensorFloat(String name, long[] dims, float[] values) {
        Protobuf t = new Protobuf();
        for (long d : dims) t.varint(1, d);
        t.varint(2, FLOAT);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) buf.putFloat(v);
        t.bytes(4, buf.array());
        return t.string(8, name);
    }

    /** A tensor type with dims: an Integer is a fixed size, a String a named (dynamic) one. */
    static Protobuf valueInfo(String name, int elemType, Object... dims) {
        Protobuf shape = new Protobuf();
        for (Object d : dims) {
            shape.message(1, d instanceof Integer n ? new Protobuf().varint(1, n) : new Protobuf().string(2, (String) d));
        }
        Protobuf tensor = new Protobuf().varint(1, elemType).message(2, shape);
        return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensor));
    }
}
