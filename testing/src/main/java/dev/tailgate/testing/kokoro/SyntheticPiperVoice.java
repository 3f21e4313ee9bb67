package dev.tailgate.testing.kokoro;

import static dev.tailgate.testing.kokoro.SyntheticKokoroModel.ATTR_INT;
import static dev.tailgate.testing.kokoro.SyntheticKokoroModel.FLOAT;
import static dev.tailgate.testing.kokoro.SyntheticKokoroModel.INT64;
import static dev.tailgate.testing.kokoro.SyntheticKokoroModel.node;
import static dev.tailgate.testing.kokoro.SyntheticKokoroModel.tensorFloat;
import static dev.tailgate.testing.kokoro.SyntheticKokoroModel.tensorInt64;
import static dev.tailgate.testing.kokoro.SyntheticKokoroModel.valueInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tiny Piper voice (a VITS export's interface, in the same package as the Kokoro one because it is written with the
 * same protobuf helpers): {@code NAME.onnx} with inputs {@code input} int64 [1,T], {@code input_lengths} int64 [1],
 * {@code scales} float32 [3] and, with speakers, {@code sid} int64 [1]; output {@code output} float32 [1,1,N] — and
 * {@code NAME.onnx.json} in piper's format (audio.sample_rate, espeak.voice, inference, phoneme_id_map, speakers).
 *
 * <p>The graph makes {@value #SAMPLES_PER_ID} samples of a tone per input id (its pitch from the id), so the audio's
 * length follows the id count exactly; it reads every other input so ONNX Runtime must be fed them all.
 */
public final class SyntheticPiperVoice {
    public static final int SAMPLES_PER_ID = 256;
    public static final int SAMPLE_RATE = 22_050;
    /** piper's specials, then the symbols English espeak-ng IPA reaches (a real voice maps ~130 symbols). */
    static final String SYMBOLS = "_^$ !'(),-.:;?abcdefhijklmnopqrstuvwxyzæçðøħŋœɐɑɒɓɔɕɖɗɘəɚɛɜɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢʲˈˌːˑ˞βθχᵻⱱ\u0303\u0327";

    private SyntheticPiperVoice() {}

    /** Writes {@code NAME.onnx} and {@code NAME.onnx.json} into {@code dir}; speakers make it multi-speaker. Returns the .onnx. */
    public static Path write(Path dir, String name, String... speakers) throws IOException {
        Files.createDirectories(dir);
        Path model = dir.resolve(name + ".onnx");
        Files.write(model, onnx(speakers.length > 1));
        Files.writeString(dir.resolve(name + ".onnx.json"), configJson(speakers));
        return model;
    }

    /** Phoneme → id, as the config's {@code phoneme_id_map} (each a one-element list there). */
    public static Map<String, Integer> phonemeIds() {
        Map<String, Integer> v = new LinkedHashMap<>();
        int id = 0;
        for (int cp : SYMBOLS.codePoints().toArray()) v.put(Character.toString(cp), id++);
        return v;
    }

    private static String configJson(String... speakers) {
        StringBuilder b = new StringBuilder("""
                {"audio": {"sample_rate": %d, "quality": "x_low"}, "espeak": {"voice": "en-us"},
                 "inference": {"noise_scale": 0.667, "length_scale": 1, "noise_w": 0.8},
                 "phoneme_type": "espeak", "phoneme_map": {}, "piper_version": "1.0.0",
                 "num_symbols": 256, "num_speakers": %d, "speaker_id_map": {""".formatted(SAMPLE_RATE, Math.max(1, speakers.length)));
        if (speakers.length > 1) {
            for (int i = 0; i < speakers.length; i++) b.append(i == 0 ? "" : ", ").append('"').append(speakers[i]).append("\": ").append(i);
        }
        b.append("},\n \"phoneme_id_map\": {");
        boolean first = true;
        for (var e : phonemeIds().entrySet()) {
            if (!first) b.append(", ");
            first = false;
            String k = e.getKey().replace("\\", "\\\\").replace("\"", "\\\"");
            b.append('"').append(k).append("\": [").append(e.getValue()).append(']');
        }
        return b.append("}}").toString();
    }

    static byte[] onnx(boolean withSpeakers) {
        Protobuf graph = new Protobuf().string(2, "synthetic-piper");
        graph.message(1, node("Cast", new String[] {"input"}, "ids_f", new Protobuf().string(1, "to").varint(3, FLOAT).varint(20, ATTR_INT)));
        graph.message(1, node("Reshape", new String[] {"ids_f", "column_shape"}, "ids_col"));
        graph.message(1, node("MatMul", new String[] {"ids_col", "phase"}, "phases"));
        graph.message(1, node("Reshape", new String[] {"phases", "audio_shape"}, "audio_phases"));
        graph.message(1, node("Sin", new String[] {"audio_phases"}, "tone"));
        graph.message(1, node("Mul", new String[] {"tone", "amplitude"}, "scaled"));
        // every other input, multiplied by zero, so that leaving one out is an error
        String last = "scaled";
        String[] others = withSpeakers ? new String[] {"input_lengths", "scales", "sid"} : new String[] {"input_lengths", "scales"};
        for (String in : others) {
            graph.message(1, node("Cast", new String[] {in}, in + "_f", new Protobuf().string(1, "to").varint(3, FLOAT).varint(20, ATTR_INT)));
            graph.message(1, node("ReduceSum", new String[] {in + "_f"}, in + "_sum", new Protobuf().string(1, "keepdims").varint(3, 0).varint(20, ATTR_INT)));
            graph.message(1, node("Mul", new String[] {in + "_sum", "zero"}, in + "_zero"));
            String next = in.equals(others[others.length - 1]) ? "output" : "with_" + in;
            graph.message(1, node("Add", new String[] {last, in + "_zero"}, next));
            last = next;
        }
        graph.message(5, tensorInt64("column_shape", new long[] {2}, new long[] {-1, 1}));
        graph.message(5, tensorInt64("audio_shape", new long[] {3}, new long[] {1, 1, -1}));
        float[] phase = new float[SAMPLES_PER_ID];
        for (int k = 0; k < phase.length; k++) phase[k] = (float) (2 * Math.PI * k / SAMPLE_RATE * 20); // id × 20 Hz
        graph.message(5, tensorFloat("phase", new long[] {1, SAMPLES_PER_ID}, phase));
        graph.message(5, tensorFloat("amplitude", new long[] {}, new float[] {0.3f}));
        graph.message(5, tensorFloat("zero", new long[] {}, new float[] {0f}));
        graph.message(11, valueInfo("input", INT64, 1, "T"));
        graph.message(11, valueInfo("input_lengths", INT64, 1));
        graph.message(11, valueInfo("scales", FLOAT, 3));
        if (withSpeakers) graph.message(11, valueInfo("sid", INT64, 1));
        graph.message(12, valueInfo("output", FLOAT, 1, 1, "N"));
        return new Protobuf()
                .varint(1, 8)
                .string(2, "tailgate-tests")
                .message(7, graph)
                .message(8, new Protobuf().string(1, "").varint(2, 17))
                .toByteArray();
    }
}
