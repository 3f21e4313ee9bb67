package dev.tailgate.local.engine.speech;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tailgate.local.engine.EngineException;
import java.nio.file.Path;
import java.util.List;

/** Opens a speech engine's ONNX graph (Kokoro, Piper) the one way both need, and checks it has their inputs. */
final class SpeechGraph {
    private SpeechGraph() {}

    /**
     * @param what     what the file must be, for the error: "a Kokoro model", "a Piper voice"
     * @param inputs   the graph inputs the engine feeds; a graph without one of them is refused
     */
    static OrtSession open(OrtEnvironment env, Path file, int threads, String what, List<String> inputs) throws EngineException {
        try {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(Math.max(1, threads));
            // no CPU arena: it would keep the peak buffers of the longest sentence resident for good
            options.setCPUArenaAllocator(false);
            options.setMemoryPatternOptimization(false);
            OrtSession session = env.createSession(file.toString(), options);
            for (String input : inputs) {
                if (!session.getInputNames().contains(input)) {
                    session.close();
                    throw new EngineException(file + " is not " + what + ": it has no input '" + input + "'");
                }
            }
            return session;
        } catch (OrtException e) {
            throw new EngineException("ONNX Runtime cannot load " + file + ": " + e.getMessage(), e);
        }
    }
}
