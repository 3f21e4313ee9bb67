package dev.tailgate.local.engine.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.ModelSpec;
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
 * worker → supervisor: hello{token} · loaded{pid} · load_failed{message} · delta{job,text}
 *                      · embeddings{job,dims,data: base64 little-endian float32, row after row}
 *                      · audio{job,data: base64 of the next piece of the encoded file}
 *                      · complete{job,prompt_tokens,completion_tokens,finish} · error{job,kind,message} · pong{seq}
 * supervisor → worker: submit{job,chat:{body}} | submit{job,embed:[inputs]}
 *                      | submit{job,speech:{input,voice,speed,format,stream}} · cancel{job} · ping{seq}
 * </pre>
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

    static String encodeVectors(List<float[]> vectors) {
        int dims = vectors.isEmpty() ? 0 : vectors.get(0).length;
        ByteBuffer buf = ByteBuffer.allocate(vectors.size() * dims * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] v : vectors) for (float f : v) buf.putFloat(f);
        return Base64.getEncoder().encodeToString(buf.array());
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
