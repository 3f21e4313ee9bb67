package dev.tailgate.gateway.ledger;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Child process for {@link LedgerCrashTest}: appends rows one after another and prints "acked N" after each commit,
 * until it is killed. Never exits by itself before {@code max} rows (the parent kills it long before).
 */
public final class LedgerCrashChild {
    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        int max = Integer.parseInt(args[1]);
        Ledger ledger = Ledger.open(db, 64);
        System.out.println("ready");
        System.out.flush();
        for (int i = 1; i <= max; i++) {
            ledger.append(new UsageRecord("crash-" + i, Instant.now(), "crash", "qwen", "local", "qwen2.5", i, i, 0,
                    1, null, 200, null, true)).get();
            System.out.println("acked " + i);
            System.out.flush();
        }
        ledger.close();
    }
}
