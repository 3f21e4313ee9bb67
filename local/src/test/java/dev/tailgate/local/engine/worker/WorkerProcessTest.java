package dev.tailgate.local.engine.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tailgate.local.engine.EngineException;
import dev.tailgate.local.engine.EngineFailure;
import dev.tailgate.local.engine.EngineRequest;
import dev.tailgate.local.engine.LoadedModel;
import dev.tailgate.local.engine.ModelSpec;
import dev.tailgate.local.engine.RecordingListener;
import dev.tailgate.local.engine.llama.LlamaChatEngine;
import dev.tailgate.local.engine.llama.TestHooks;
import dev.tailgate.local.engine.onnx.OnnxEmbeddingEngine;
import dev.tailgate.local.engine.speech.EspeakSpeechEngine;
import dev.tailgate.testing.gguf.GgmlType;
import dev.tailgate.testing.gguf.SyntheticGguf;
import dev.tailgate.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real worker JVMs running real engines on a synthetic GGUF and the built-in embeddings model. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkerProcessTest {
    @TempDir static Path dir;
    static Path gguf;
    static WorkerProcessFactory factory;

    @BeforeAll
    static void setUp() throws Exception {
        gguf = SyntheticGguf.tiny().type(GgmlType.Q8_0).seed(11).write(dir.resolve("tiny.gguf"));
        factory = new WorkerProcessFactory(WorkerProcessFactory.Settings.defaults(dir.resolve("logs"))
                .withEnvironment(Map.of(TestHooks.ENABLE, "1")));
    }

    static ModelSpec chatSpec() {
        return new ModelSpec("tiny-chat", ModelSpec.Capability.CHAT, "llama.cpp", gguf, 1024, 1);
    }

    static ObjectNode chat(String text, int maxTokens) {
        ObjectNode body = Json.object();
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        body.put("max_tokens", maxTokens).put("temperature", 0);
        return body;
    }

    static RecordingListener run(LoadedModel model, EngineRequest request) throws Exception {
        RecordingListener l = new RecordingListener();
        model.submit(request, l);
        l.await();
        assertThat(l.terminalCalls.get()).isEqualTo(1);
        return l;
    }

    @Test
    void chatThroughAWorkerMatchesInProcess() throws Exception {
        RecordingListener viaWorker;
        try (LoadedModel worker = factory.load(chatSpec())) {
            assertThat(worker.alive()).isTrue();
            assertThat(worker.memoryBytes()).isGreaterThan(20L << 20); // a JVM's RSS, read from /proc
            viaWorker = run(worker, new EngineRequest.Chat(chat("hello worker", 16)));
        }
        RecordingListener inProcess;
        try (LoadedModel local = LlamaChatEngine.load(chatSpec())) {
            inProcess = run(local, new EngineRequest.Chat(chat("hello worker", 16)));
        }
        var o = viaWorker.await();
        assertThat(o.ok()).as("%s", o.failure()).isTrue();
        assertThat(viaWorker.deltas.size()).isGreaterThan(1);
        assertThat(viaWorker.text()).isEqualTo(inProcess.text());
        assertThat(o.usage()).isEqualTo(inProcess.await().usage());
        assertThat(o.finishReason()).isEqualTo("length");
    }

    /**
     * The embedded engine runs in a worker process by default: a model writing one long tool call (an agent's
     * whole-file patch) reports progress for the pieces of it over the worker's line protocol, before the call arrives
     * whole — so qwen-local's watchdog hears that the model is working. Nothing of the call leaks as text.
     */
    @Test
    void aLongToolCallWrittenInAWorkerIsProgressBeforeTheCall() throws Exception {
        java.util.Random random = new java.util.Random(7);
        StringBuilder patch = new StringBuilder("*** Begin Patch\n*** Add File: notes.txt\n");
        for (int line = 0; line < 30; line++) {
            patch.append('+');
            for (int word = 0; word < 5; word++) {
                for (int c = 3 + random.nextInt(4); c > 0; c--) patch.append((char) ('a' + random.nextInt(26)));
                patch.append(' ');
            }
            patch.append('\n');
        }
        patch.append("*** End Patch");
        String arguments = "{\"input\": " + Json.string(patch.toString()) + "}";
        Path patcher = SyntheticGguf.tiny().type(GgmlType.F32).chatTemplate(SyntheticGguf.QWEN25_TEMPLATE)
                .answering("<tool_call>\n{\"name\": \"apply_patch\", \"arguments\": " + arguments + "}\n</tool_call>")
                .write(dir.resolve("patcher.gguf"));
        ObjectNode body = chat("add the notes file", 2000);
        body.putArray("tools").add(Json.parse("""
                {"type":"function","function":{"name":"apply_patch","parameters":{"type":"object",
                 "properties":{"input":{"type":"string"}},"required":["input"]}}}"""));
        try (LoadedModel worker = factory.load(new ModelSpec("patcher", ModelSpec.Capability.CHAT, "llama.cpp", patcher, 4096, 1))) {
            RecordingListener l = run(worker, new EngineRequest.Chat(body));
            var o = l.await();
            assertThat(o.ok()).as("%s", o.failure()).isTrue();
            assertThat(o.finishReason()).isEqualTo("tool_calls");
            assertThat(l.toolCalls).hasSize(1);
            assertThat(l.toolCalls.getFirst().name()).isEqualTo("apply_patch");
            assertThat(Json.parse(l.toolCalls.getFirst().arguments())).isEqualTo(Json.parse(arguments));
            assertThat(l.deltas).isEmpty();
            // every generated piece but the one that closes the call is progress, before the call
            assertThat(o.usage().completionTokens()).isGreaterThan(100);
            assertThat(l.progressBeforeFirstCall).isGreaterThan(o.usage().completionTokens() / 2);
        }
    }

    @Test
    void embeddingsThroughAWorkerMatchInProcess() throws Exception {
        ModelSpec spec = new ModelSpec("minilm", ModelSpec.Capability.EMBEDDINGS, "onnx", null, 0, 1);
        List<String> texts = List.of("cat", "kitten", "car");
        List<float[]> viaWorker;
        try (LoadedModel worker = factory.load(spec)) {
            RecordingListener l = run(worker, new EngineRequest.Embed(texts));
            assertThat(l.await().ok()).isTrue();
            assertThat(l.await().usage().promptTokens()).isEqualTo(9);
            viaWorker = l.vectors;
        }
        try (LoadedModel local = OnnxEmbeddingEngine.load(spec)) {
            List<float[]> inProcess = run(local, new EngineRequest.Embed(texts)).vectors;
            assertThat(viaWorker).hasSize(3);
            for (int i = 0; i < 3; i++) assertThat(viaWorker.get(i)).containsExactly(inProcess.get(i));
        }
    }

    /**
     * Issue 11's memory: a speech worker hands out the engine's waveform unchanged (qwen-local encodes it), so it maps
     * none of FFmpeg's libraries (~15 MB resident); and it runs with the memory flags. Structure, not a measured RSS.
     */
    @Test
    void speechWorkerSendsTheWaveformMapsNoCodecAndRunsWithTheMemoryFlags() throws Exception {
        ModelSpec spec = new ModelSpec("espeak", ModelSpec.Capability.SPEECH, "espeak-ng", null, 0, 1);
        RecordingListener viaWorker;
        try (WorkerModel worker = (WorkerModel) factory.load(spec)) {
            viaWorker = run(worker, new EngineRequest.Speech("hello world", "alloy", 1.0));
            assertThat(viaWorker.await().ok()).as("%s", viaWorker.await().failure()).isTrue();
            String maps = Files.readString(Path.of("/proc", Long.toString(worker.pid()), "maps"));
            assertThat(maps).contains("libespeak-ng").doesNotContain("libavcodec", "libavformat", "libavutil", "libswresample");
            List<String> args = List.of(Files.readString(Path.of("/proc", Long.toString(worker.pid()), "cmdline")).split("\u0000"));
            assertThat(args).containsAll(WorkerProcessFactory.MEMORY_FLAGS);
        }
        RecordingListener inProcess;
        try (LoadedModel local = EspeakSpeechEngine.load(spec)) {
            inProcess = run(local, new EngineRequest.Speech("hello world", "alloy", 1.0));
        }
        assertThat(viaWorker.sampleRate).isEqualTo(inProcess.sampleRate).isPositive();
        assertThat(viaWorker.samples).hasSizeGreaterThan(inProcess.sampleRate / 2).isEqualTo(inProcess.samples);
    }

    @Test
    void killedWorkerFailsInFlightJobsAsWorkerDied() throws Exception {
        WorkerModel worker = (WorkerModel) factory.load(chatSpec());
        try {
            RecordingListener stuck = new RecordingListener();
            worker.submit(new EngineRequest.Chat(chat("please " + TestHooks.HANG_MARKER, 8)), stuck);
            assertThat(worker.ping(Duration.ofSeconds(30))).isTrue(); // the job has reached the worker
            ProcessHandle.of(worker.pid()).orElseThrow().destroyForcibly();
            var o = stuck.await();
            assertThat(o.failure().kind()).isEqualTo(EngineFailure.Kind.WORKER_DIED);
            assertThat(o.failure().message()).contains("signal 9");
            assertThat(worker.alive()).isFalse();
            assertThat(worker.deathReason()).contains("signal 9");
            // later jobs fail fast instead of hanging
            RecordingListener after = run(worker, new EngineRequest.Chat(chat("again", 2)));
            assertThat(after.await().failure().kind()).isEqualTo(EngineFailure.Kind.WORKER_DIED);
        } finally {
            worker.close();
        }
    }

    @Test
    void nativeAbortInTheWorkerIsReportedAndContained() throws Exception {
        WorkerModel worker = (WorkerModel) factory.load(chatSpec());
        try {
            RecordingListener crashing = new RecordingListener();
            RecordingListener queuedBehind = new RecordingListener();
            worker.submit(new EngineRequest.Chat(chat(TestHooks.ABORT_MARKER, 4)), crashing);
            worker.submit(new EngineRequest.Chat(chat("next in line", 4)), queuedBehind);
            var o = crashing.await();
            assertThat(o.failure().kind()).isEqualTo(EngineFailure.Kind.WORKER_DIED);
            assertThat(o.failure().message()).contains("signal 6");
            assertThat(queuedBehind.await().failure().kind()).isEqualTo(EngineFailure.Kind.WORKER_DIED);
            assertThat(worker.alive()).isFalse();
            assertThat(worker.deathReason()).contains("SIGABRT");
        } finally {
            worker.close();
        }
        // this JVM is unharmed and a fresh worker serves again
        try (LoadedModel again = factory.load(chatSpec())) {
            assertThat(run(again, new EngineRequest.Chat(chat("hello again", 3))).await().ok()).isTrue();
        }
        assertThat(dir.resolve("logs").resolve("tiny-chat.previous.log")).exists();
    }

    @Test
    void hangHookStallsTheJobAndCloseKillsTheWorker() throws Exception {
        WorkerModel worker = (WorkerModel) factory.load(chatSpec());
        ProcessHandle handle = ProcessHandle.of(worker.pid()).orElseThrow();
        RecordingListener stuck = new RecordingListener();
        var job = worker.submit(new EngineRequest.Chat(chat(TestHooks.HANG_MARKER, 8)), stuck);
        assertThat(worker.ping(Duration.ofSeconds(30))).isTrue();
        job.cancel(); // a hung engine ignores this, like a native call that never returns
        assertThat(worker.ping(Duration.ofSeconds(30))).isTrue(); // the worker's message loop still answers
        assertThat(stuck.outcome).isNotDone();
        assertThat(stuck.deltas).isEmpty();

        worker.close();
        var o = stuck.await();
        assertThat(o.failure().kind()).isEqualTo(EngineFailure.Kind.CANCELLED);
        assertThat(handle.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        assertThat(worker.alive()).isFalse();
        assertThat(worker.deathReason()).isEqualTo("closed");
        assertThat(worker.memoryBytes()).isZero();
    }

    @Test
    void cancelReachesTheEngineInTheWorker() throws Exception {
        try (LoadedModel worker = factory.load(chatSpec())) {
            RecordingListener l = new RecordingListener();
            ObjectNode body = chat("long story", 100000);
            body.put("temperature", 0.9);
            var job = worker.submit(new EngineRequest.Chat(body), l);
            assertThat(l.firstDelta.await(60, TimeUnit.SECONDS)).isTrue();
            job.cancel();
            var o = l.await();
            // the tiny model may finish its 1024-token context first; otherwise the job is cancelled
            if (!o.ok()) assertThat(o.failure().kind()).isEqualTo(EngineFailure.Kind.CANCELLED);
            assertThat(run(worker, new EngineRequest.Chat(chat("still there?", 2))).await().ok()).isTrue();
        }
    }

    @Test
    void loadFailureInTheWorkerIsAnEngineException() throws Exception {
        Path q3 = SyntheticGguf.tiny().arch(SyntheticGguf.Arch.QWEN3).write(dir.resolve("q3.gguf"));
        assertThatThrownBy(() -> factory.load(new ModelSpec("q3", ModelSpec.Capability.CHAT, "llama.cpp", q3, 512, 1)))
                .isInstanceOf(EngineException.class).hasMessageContaining("qwen3");
    }

    @Test
    void unknownEngineIsRefusedWithoutAWorker() {
        assertThatThrownBy(() -> factory.load(new ModelSpec("x", ModelSpec.Capability.CHAT, "vllm", gguf, 512, 1)))
                .isInstanceOf(EngineException.class).hasMessageContaining("unknown engine");
        assertThatThrownBy(() -> factory.load(new ModelSpec("x", ModelSpec.Capability.CHAT, "onnx", null, 512, 1)))
                .isInstanceOf(EngineException.class).hasMessageContaining("does not serve chat");
    }

    @Test
    void loadTimeoutKillsTheWorker() {
        WorkerProcessFactory impatient = new WorkerProcessFactory(
                WorkerProcessFactory.Settings.defaults(dir.resolve("logs2")).withLoadTimeout(Duration.ofMillis(50)));
        assertThatThrownBy(() -> impatient.load(chatSpec()))
                .isInstanceOf(EngineException.class).hasMessageContaining("worker for 'tiny-chat'");
    }

    @Test
    void estimateCoversModelAndWorker() {
        assertThat(factory.estimateMemoryBytes(chatSpec())).isGreaterThan(WorkerProcessFactory.WORKER_OVERHEAD_BYTES);
    }
}
