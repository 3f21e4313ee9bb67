package dev.tailgate.local.engine.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.Transcript;
import dev.tailgate.wire.Json;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The supervisor ↔ worker wire: one JSON object per line over a loopback TCP connection the worker opens back to the
 * supervisor (its stdout is not used: native code writes logs there). Every message has a {@code type}:
 *
 * <pre>
 * worker → supervisor: hello{token} · loaded{pid} · load_failed{message} · delta{job,text} · reasoning{job,text}
 *                      · tool_call{job,id,name,arguments} · progress{job}: a call being written, not output yet
 *                      · embeddings{job,dims,data: base64 little-endian float32, row after row}
 *                      · samples{job,rate,data: base64 little-endian float32, the next piece of the waveform}
 *                      · transcript{job,duration,language,segments:[{start,end,text}],words:[{start,end,word}]}
 *                      · complete{job,prompt_tokens,completion_tokens,finish} · error{job,kind,message} · pong{seq}
 * supervisor → worker: submit{job,chat:{body}} | submit{job,embed:[inputs]}
 *                      | submit{job,speech:{input,voice,speed}}
 *                      | submit{job,transcribe:{audio: base64 file,language,prompt,temperature,translate,words}}
 *                      · cancel{job} · ping{seq}
 * </pre>
 *
 * <p>Speech workers send the waveform, not the file: qwen-local encodes it ({@code SpeechEncoder}), so they map no codec.
 */
final class WorkerProtocol {
    private WorkerProtocol() {}

    static ObjectNode message(String type) {
        ObjectNode n = Json.object();
        n.put("type", type);
        return n;
    }

    static ObjectNode specJson(ModelSpec spec) {
        ObjectNode n = Json.object();
        n.put("id", spec.id());
        n.put("capability", spec.capability().name());
        n.put("engine", spec.engine());
        if (spec.file() != null) n.put("file", spec.file().toAbsolutePath().toString());
        n.put("context", spec.context());
        n.put("threads", spec.threads());
        n.put("parallel", spec.parallel());
        return n;
    }

    static ModelSpec spec(JsonNode n) {
        return new ModelSpec(
                n.path("id").asText(),
                ModelSpec.Capability.valueOf(n.path("capability").asText()),
                n.path("engine").asText(),
                n.hasNonNull("file") ? Path.of(n.get("file").asText()) : null,
                n.path("context").asInt(),
                n.path("threads").asInt(),
                n.path("parallel").asInt(1));
    }

    static ObjectNode transcriptJson(Transcript t) {
        ObjectNode n = Json.object();
        n.put("duration", t.durationSeconds());
        n.put("language", t.language());
        var segments = n.putArray("segments");
        for (Transcript.Segment s : t.segments()) segments.addObject().put("start", s.start()).put("end", s.end()).put("text", s.text());
        var words = n.putArray("words");
        for (Transcript.Word w : t.words()) words.addObject().put("start", w.start()).put("end", w.end()).put("word", w.word());
        return n;
    }

    static Transcript transcript(JsonNode n) {
        List<Transcript.Segment> segments = new ArrayList<>();
        n.path("segments").forEach(s -> segments.add(new Transcript.Segment(s.path("start").asDouble(), s.path("end").asDouble(),
                s.path("text").asText())));
        List<Transcript.Word> words = new ArrayList<>();
        n.path("words").forEach(w -> words.add(new Transcript.Word(w.path("start").asDouble(), w.path("end").asDouble(),
                w.path("word").asText())));
        return new Transcript(n.path("duration").asDouble(), n.path("language").asText(), segments, words);
    }

    static ObjectNode transcribeJson(EngineRequest.Transcribe t) {
        ObjectNode n = Json.object();
        n.put("audio", Base64.getEncoder().encodeToString(t.audio()));
        if (t.language() != null) n.put("language", t.language());
        if (t.prompt() != null) n.put("prompt", t.prompt());
        n.put("temperature", t.temperature());
        n.put("translate", t.translate());
        n.put("words", t.words());
        return n;
    }

    static EngineRequest.Transcribe transcribe(JsonNode n) {
        return new EngineRequest.Transcribe(Base64.getDecoder().decode(n.path("audio").asText()),
                n.hasNonNull("language") ? n.get("language").asText() : null,
                n.hasNonNull("prompt") ? n.get("prompt").asText() : null,
                n.path("temperature").asDouble(), n.path("translate").asBoolean(), n.path("words").asBoolean());
    }

    static String encodeVectors(List<float[]> vectors) {
        int dims = vectors.isEmpty() ? 0 : vectors.get(0).length;
        ByteBuffer buf = ByteBuffer.allocate(vectors.size() * dims * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] v : vectors) for (float f : v) buf.putFloat(f);
        return Base64.getEncoder().encodeToString(buf.array());
    }

    static String encodeSamples(float[] samples) {
        ByteBuffer buf = ByteBuffer.allocate(samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(samples);
        return Base64.getEncoder().encodeToString(buf.array());
    }

    static float[] decodeSamples(String data) {
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(data)).order(ByteOrder.LITTLE_ENDIAN);
        float[] samples = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(samples);
        return samples;
    }

    static List<float[]> decodeVectors(String data, int dims) {
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(data)).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> out = new ArrayList<>();
        if (dims <= 0) return out;
        while (buf.remaining() >= dims * 4) {
            float[] v = new float[dims];
            for (int i = 0; i < dims; i++) v[i] = buf.getFloat();
            out.add(v);
        }
        return out;
    }
}
