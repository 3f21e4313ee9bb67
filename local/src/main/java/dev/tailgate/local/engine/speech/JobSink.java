package dev.tailgate.local.engine.speech;

import dev.tailgate.local.engine.ThreadedEngine;
import java.io.OutputStream;
import java.util.Arrays;

/** Passes each piece an encoder's muxer writes straight on to the job's listener: the stream of a speech job. */
final class JobSink extends OutputStream {
    private final ThreadedEngine.Job job;

    JobSink(ThreadedEngine.Job job) {
        this.job = job;
    }

    @Override
    public void write(int b) {
        job.audio(new byte[] {(byte) b});
    }

    @Override
    public void write(byte[] b, int off, int len) {
        job.audio(Arrays.copyOfRange(b, off, off + len));
    }
}
