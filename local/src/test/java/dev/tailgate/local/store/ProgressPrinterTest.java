package dev.tailgate.local.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProgressPrinterTest {
    private static final long MIB = 1024 * 1024;
    private final AtomicLong now = new AtomicLong();

    @Test
    void plainOutputPrintsOneLinePerTenPercent() {
        StringWriter out = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(out), false, now::get);

        p.started("m.gguf", 100 * MIB, 0);
        for (long b = MIB; b <= 100 * MIB; b += MIB) {
            now.addAndGet(10_000_000L); // 1 MiB every 10 ms = 100 MiB/s
            p.advanced(b);
        }
        p.finished();

        String[] lines = out.toString().split("\n");
        assertThat(lines[0]).isEqualTo("downloading m.gguf (100.0 MiB)");
        assertThat(lines).hasSize(11);
        assertThat(lines[1]).contains(" 10.0%").contains("10.0 MiB / 100.0 MiB").contains("100.0 MiB/s").contains("ETA 0s");
        assertThat(lines[10]).contains("100.0%");
    }

    @Test
    void terminalOutputRedrawsOneLineWithRateAndEta() {
        StringWriter out = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(out), true, now::get);

        p.started("m.gguf", 1000 * MIB, 400 * MIB);
        now.addAndGet(2_000_000_000L);
        p.advanced(420 * MIB); // 20 MiB in 2 s this session = 10 MiB/s; 580 MiB left = 58 s
        String text = out.toString();

        assertThat(text).doesNotContain("\n");
        assertThat(text).contains("\rm.gguf [############------------------]  42.0%  420.0 MiB / 1000.0 MiB  10.0 MiB/s  ETA 58s");
        p.finished();
        assertThat(out.toString()).endsWith("\n");
    }

    @Test
    void resumedPlainOutputSaysWhereItContinues() {
        StringWriter out = new StringWriter();
        new ProgressPrinter(new PrintWriter(out), false, now::get).started("m.gguf", 10 * MIB, 3 * MIB);
        assertThat(out.toString()).startsWith("resuming m.gguf at 3.0 MiB of 10.0 MiB");
    }

    @Test
    void durationsAreCompact() {
        assertThat(ProgressPrinter.formatDuration(59)).isEqualTo("59s");
        assertThat(ProgressPrinter.formatDuration(61)).isEqualTo("1m01s");
        assertThat(ProgressPrinter.formatDuration(3 * 3600 + 5 * 60)).isEqualTo("3h05m");
    }
}
