package dev.tailgate.local.engine.speech;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.tailgate.local.engine.EngineException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * espeak-ng ({@code libespeak-ng.so.1} from the OS) through the FFM API, in synchronous mode: {@link #synthesize}
 * returns when the text is spoken, having handed every buffer of samples to the caller as espeak-ng produced it.
 *
 * <p>espeak-ng keeps global state (one voice, one set of parameters, one callback), so every call holds one lock;
 * the library is initialised once per process and never terminated.
 */
public final class EspeakNative {
    /** The library's file names, Linux first; the same list doctor checks. */
    public static final List<String> LIBRARY_NAMES = List.of("libespeak-ng.so.1", "libespeak-ng.1.dylib", "libespeak-ng.dylib");

    private static final int AUDIO_OUTPUT_SYNCHRONOUS = 2;
    private static final int INITIALIZE_DONT_EXIT = 0x8000;
    private static final int CHARS_UTF8 = 1;
    private static final int POS_CHARACTER = 1;
    private static final int PARAM_RATE = 1;
    /** espeak_TextToPhonemes' phonememode: IPA output. */
    private static final int PHONEMES_IPA = 0x02;
    /** Milliseconds of audio per callback: small enough that a stream starts quickly. */
    private static final int BUFFER_MS = 100;
    private static final int RATE_MIN = 80;
    private static final int RATE_MAX = 450;
    static final int RATE_NORMAL = 175;

    private static EspeakNative instance;
    private static volatile boolean installed;
    /** The job being spoken; espeak-ng's callback is a C function pointer with no room for our context. */
    private static volatile Current current;

    private final MethodHandle setVoiceByName;
    private final MethodHandle setParameter;
    private final MethodHandle synth;
    private final MethodHandle textToPhonemes;
    private final int sampleRate;

    /** Receives one buffer of samples (mono, in [-1, 1]) at {@link #sampleRate()}. */
    @FunctionalInterface
    public interface Samples {
        void accept(float[] samples) throws Exception;
    }

    private record Current(Samples sink, BooleanSupplier cancelled, Exception[] failure) {}

    private EspeakNative(SymbolLookup lib) throws EngineException {
        Linker linker = Linker.nativeLinker();
        MethodHandle initialize = linker.downcallHandle(find(lib, "espeak_Initialize"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        MethodHandle setCallback = linker.downcallHandle(find(lib, "espeak_SetSynthCallback"),
                FunctionDescriptor.ofVoid(ADDRESS));
        setVoiceByName = linker.downcallHandle(find(lib, "espeak_SetVoiceByName"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setParameter = linker.downcallHandle(find(lib, "espeak_SetParameter"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        synth = linker.downcallHandle(find(lib, "espeak_Synth"), FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        textToPhonemes = linker.downcallHandle(find(lib, "espeak_TextToPhonemes"),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        try {
            sampleRate = (int) initialize.invokeExact(AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, MemorySegment.NULL, INITIALIZE_DONT_EXIT);
            if (sampleRate <= 0) throw new EngineException("espeak-ng failed to initialise (its voice data is missing?)");
            MethodHandle target = MethodHandles.lookup().findStatic(EspeakNative.class, "callback",
                    MethodType.methodType(int.class, MemorySegment.class, int.class, MemorySegment.class));
            MemorySegment stub = linker.upcallStub(target, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), Arena.global());
            setCallback.invokeExact(stub);
        } catch (EngineException e) {
            throw e;
        } catch (Throwable t) {
            throw new EngineException("espeak-ng failed to initialise: " + t, t);
        }
    }

    /** The process-wide instance, loading the library on first use. */
    public static synchronized EspeakNative get() throws EngineException {
        if (instance == null) instance = new EspeakNative(library());
        return instance;
    }

    private static SymbolLookup library() throws EngineException {
        for (String name : LIBRARY_NAMES) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException notHere) {
                // try the next name
            }
        }
        throw new EngineException(notInstalled(LIBRARY_NAMES));
    }

    /**
     * Null when espeak-ng's library loads in this process; otherwise that it is not installed and the command that
     * installs it — the operator's to fix, so its models are {@code unavailable} rather than failing on every load.
     * Once found it is not looked for again; while missing, every call looks (it may have been installed since).
     */
    public static String unavailableReason() {
        if (installed) return null;
        String reason = missingReason(LIBRARY_NAMES);
        installed = reason == null;
        return reason;
    }

    /** Null when one of {@code names} loads (it is unloaded again right away), else why espeak-ng is missing. */
    static String missingReason(List<String> names) {
        for (String name : names) {
            try (Arena probe = Arena.ofConfined()) {
                SymbolLookup.libraryLookup(name, probe);
                return null;
            } catch (IllegalArgumentException notHere) {
                // try the next name
            }
        }
        return notInstalled(names);
    }

    private static String notInstalled(List<String> names) {
        return "espeak-ng is not installed (" + names.getFirst() + " not found): apt-get install espeak-ng, or brew install espeak-ng";
    }

    private static MemorySegment find(SymbolLookup lib, String symbol) throws EngineException {
        return lib.find(symbol).orElseThrow(() -> new EngineException("espeak-ng has no symbol " + symbol));
    }

    public int sampleRate() {
        return sampleRate;
    }

    /** espeak-ng's words-per-minute for an OpenAI {@code speed} (1.0 = its normal 175), within what it can do. */
    static int wordsPerMinute(double speed) {
        return (int) Math.max(RATE_MIN, Math.min(RATE_MAX, Math.round(RATE_NORMAL * speed)));
    }

    /**
     * Speaks {@code text} with espeak-ng voice {@code voice} (e.g. {@code en-us+f3}), handing samples to {@code sink} as
     * they come. Stops early, without an error, once {@code cancelled} says so.
     */
    public void synthesize(String text, String voice, double speed, Samples sink, BooleanSupplier cancelled) throws EngineException {
        synchronized (EspeakNative.class) {
            Exception[] failure = new Exception[1];
            try (Arena arena = Arena.ofConfined()) {
                int rc = (int) setVoiceByName.invokeExact(arena.allocateFrom(voice));
                if (rc != 0) throw new EngineException("espeak-ng has no voice '" + voice + "'");
                rc = (int) setParameter.invokeExact(PARAM_RATE, wordsPerMinute(speed), 0);
                if (rc != 0) throw new EngineException("espeak-ng refused rate " + wordsPerMinute(speed));
                MemorySegment utf8 = arena.allocateFrom(text);
                current = new Current(sink, cancelled, failure);
                rc = (int) synth.invokeExact(utf8, utf8.byteSize(), 0, POS_CHARACTER, 0, CHARS_UTF8,
                        MemorySegment.NULL, MemorySegment.NULL);
                if (rc != 0 && failure[0] == null && !cancelled.getAsBoolean()) {
                    throw new EngineException("espeak-ng failed to speak (error " + rc + ")");
                }
            } catch (EngineException e) {
                throw e;
            } catch (Throwable t) {
                throw new EngineException("espeak-ng failed: " + t, t);
            } finally {
                current = null;
            }
            if (failure[0] != null) {
                throw new EngineException(failure[0].getMessage() == null ? failure[0].toString() : failure[0].getMessage(), failure[0]);
            }
        }
    }

    /**
     * {@code text} as IPA phonemes in voice {@code voice}'s accent (stress marks kept, words separated by spaces).
     * espeak-ng reads one clause per call and drops the clause's punctuation, so callers pass one clause at a time.
     */
    public String phonemes(String text, String voice) throws EngineException {
        synchronized (EspeakNative.class) {
            try (Arena arena = Arena.ofConfined()) {
                int rc = (int) setVoiceByName.invokeExact(arena.allocateFrom(voice));
                if (rc != 0) throw new EngineException("espeak-ng has no voice '" + voice + "'");
                MemorySegment cursor = arena.allocate(ADDRESS);
                cursor.set(ADDRESS, 0, arena.allocateFrom(text));
                StringBuilder out = new StringBuilder();
                // espeak-ng advances the cursor clause by clause and sets it to NULL at the end of the text
                for (int guard = 0; cursor.get(ADDRESS, 0).address() != 0 && guard < 10_000; guard++) {
                    MemorySegment ipa = (MemorySegment) textToPhonemes.invokeExact(cursor, CHARS_UTF8, PHONEMES_IPA);
                    if (ipa.address() == 0) break;
                    if (!out.isEmpty()) out.append(' ');
                    out.append(ipa.reinterpret(Integer.MAX_VALUE).getString(0).strip());
                }
                return out.toString();
            } catch (EngineException e) {
                throw e;
            } catch (Throwable t) {
                throw new EngineException("espeak-ng failed to phonemise: " + t, t);
            }
        }
    }

    /** espeak-ng's {@code t_espeak_callback}: 0 = go on, 1 = stop. Must never throw (it is called from C). */
    private static int callback(MemorySegment wav, int numSamples, MemorySegment events) {
        Current c = current;
        if (c == null) return 1;
        try {
            if (c.cancelled().getAsBoolean()) return 1;
            if (wav.address() == 0 || numSamples <= 0) return 0;
            MemorySegment pcm = wav.reinterpret(numSamples * 2L);
            float[] samples = new float[numSamples];
            for (int i = 0; i < numSamples; i++) samples[i] = pcm.getAtIndex(JAVA_SHORT, i) / 32768f;
            c.sink().accept(samples);
            return 0;
        } catch (Throwable t) {
            c.failure()[0] = t instanceof Exception e ? e : new RuntimeException(t);
            return 1;
        }
    }
}
