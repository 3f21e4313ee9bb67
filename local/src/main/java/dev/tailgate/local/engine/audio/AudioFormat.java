package dev.tailgate.local.engine.audio;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.ffmpeg.global.avcodec;

/**
 * The OpenAI speech {@code response_format}s and how FFmpeg makes each: container (muxer), codec and bitrate. All are
 * mono at the engine's sample rate (24 kHz); {@code pcm} is raw signed 16-bit little-endian with no header.
 */
public enum AudioFormat {
    MP3("mp3", "audio/mpeg", "mp3", avcodec.AV_CODEC_ID_MP3, null, 64_000),
    OPUS("opus", "audio/ogg", "ogg", avcodec.AV_CODEC_ID_OPUS, "libopus", 32_000),
    AAC("aac", "audio/aac", "adts", avcodec.AV_CODEC_ID_AAC, null, 64_000),
    FLAC("flac", "audio/flac", "flac", avcodec.AV_CODEC_ID_FLAC, null, 0),
    WAV("wav", "audio/wav", "wav", avcodec.AV_CODEC_ID_PCM_S16LE, null, 0),
    PCM("pcm", "audio/pcm", "s16le", avcodec.AV_CODEC_ID_PCM_S16LE, null, 0);

    /** The name on the wire ({@code response_format}). */
    public final String wireName;
    public final String contentType;
    final String muxer;
    final int codecId;
    /** FFmpeg encoder to ask for by name, when the codec id alone would pick a weaker built-in one (opus). */
    final String encoderName;
    final int bitrate;

    AudioFormat(String wireName, String contentType, String muxer, int codecId, String encoderName, int bitrate) {
        this.wireName = wireName;
        this.contentType = contentType;
        this.muxer = muxer;
        this.codecId = codecId;
        this.encoderName = encoderName;
        this.bitrate = bitrate;
    }

    public static Optional<AudioFormat> fromWire(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.wireName.equals(n)).findFirst();
    }

    public static String wireNames() {
        return String.join(", ", Arrays.stream(values()).map(f -> f.wireName).toList());
    }
}
