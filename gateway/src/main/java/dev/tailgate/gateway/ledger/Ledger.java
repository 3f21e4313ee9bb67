package dev.tailgate.gateway.ledger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The usage ledger: one SQLite row per finished request (config key {@code ledger: path}).
 *
 * <p>Writes: {@link #append} never blocks; it puts the row on a bounded queue and returns a future that completes when
 * the row is committed. One writer thread owns the write connection and commits what is queued when it wakes — one row,
 * or up to {@link #MAX_BATCH} rows in one transaction when requests finish faster than it commits (a commit is a WAL
 * append and its locks, the same cost for one row or a hundred) — so an acknowledged row is durable against a process
 * crash. When the queue is full the row is refused (counted in {@link #dropped()}), never waited for: request handling
 * must not stall on the disk.
 *
 * <p>Reads ({@link #summary}, {@link #spentUsd}) use a second connection; in WAL mode readers never block the writer.
 * They are blocking JDBC calls: run them off the event loop ({@code vertx.executeBlocking}).
 */
public final class Ledger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    private static final String INSERT = "INSERT INTO usage (request_id, ts_ms, day, client, model, provider, upstream_model,"
            + " prompt_tokens, completion_tokens, cost_usd, latency_ms, ttft_ms, status, error_code, private)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    /** Most rows committed in one transaction: bounds how long the first of them waits for its acknowledgement. */
    static final int MAX_BATCH = 256;

    private record Pending(UsageRecord row, CompletableFuture<Void> done) {}

    private final Path file;
    private final BlockingQueue<Pending> queue;
    private final Connection writeConn;
    private final Connection readConn;
    private final Thread writer;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closing;

    private Ledger(Path file, int queueCapacity) throws SQLException {
        this.file = file;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.writeConn = open(file, false);
        try (Statement st = writeConn.createStatement()) {
            // WAL: a commit appends to the -wal file; readers keep reading the last committed state without blocking it.
            st.execute("PRAGMA journal_mode=WAL");
            // synchronous=NORMAL in WAL mode: a commit write()s its frames to the WAL file but does not fsync at every
            // commit (only at checkpoints). Once write() returned, the bytes are in the operating system's page cache,
            // which belongs to the kernel, not to our process: a JVM crash or kill -9 loses nothing that was committed.
            // Only an OS crash or power loss can drop the last few commits, and even then the database stays
            // consistent (the WAL is checksummed; a torn tail is ignored). That is the durability we promise: "a
            // process crash loses no finished request" at the cost of one write() per row instead of one fsync.
            st.execute("PRAGMA synchronous=NORMAL");
            st.execute("""
                    CREATE TABLE IF NOT EXISTS usage (
                      id INTEGER PRIMARY KEY,
                      request_id TEXT NOT NULL,
                      ts_ms INTEGER NOT NULL,
                      day TEXT NOT NULL,
                      client TEXT,
                      model TEXT,
                      provider TEXT,
                      upstream_model TEXT,
                      prompt_tokens INTEGER NOT NULL DEFAULT 0,
                      completion_tokens INTEGER NOT NULL DEFAULT 0,
                      cost_usd REAL NOT NULL DEFAULT 0,
                      latency_ms INTEGER,
                      ttft_ms INTEGER,
                      status INTEGER NOT NULL,
                      error_code TEXT,
                      private INTEGER NOT NULL DEFAULT 0)""");
            st.execute("CREATE INDEX IF NOT EXISTS usage_ts ON usage(ts_ms)");
            st.execute("CREATE INDEX IF NOT EXISTS usage_client_ts ON usage(client, ts_ms)");
        }
        writeConn.setAutoCommit(true); // a lone INSERT is its own transaction; a batch opens one (acked = committed)
        this.readConn = open(file, true);
        this.writer = Thread.ofPlatform().name("tailgate-ledger-writer").daemon(true).unstarted(this::writeLoop);
        writer.start();
    }

    /** Opens (creating when absent) the ledger at {@code file}. */
    public static Ledger open(Path file, int queueCapacity) throws SQLException {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create the folder of ledger " + file + ": " + e.getMessage(), e);
        }
        return new Ledger(file, queueCapacity);
    }

    private static Connection open(Path file, boolean reader) throws SQLException {
        org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
        // the writer never reads the row ids back: without this the driver runs "SELECT last_insert_rowid()" after
        // every insert (a statement prepared and stepped per row, ~a quarter of the writer's CPU)
        if (!reader) config.setGetGeneratedKeys(false);
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=5000");
        }
        return c;
    }

    public Path file() {
        return file;
    }

    /** Queues a row; the future completes once it is committed, or fails (queue full, closed, SQL error). Never blocks. */
    public CompletableFuture<Void> append(UsageRecord row) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new IllegalStateException("ledger is closed"));
        } else if (!queue.offer(new Pending(row, done))) {
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 1000 == 0) LOG.warn("usage ledger queue full: {} rows dropped so far", n);
            done.completeExceptionally(new LedgerFullException("usage ledger queue is full"));
        }
        return done;
    }

    /** Rows refused because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try (PreparedStatement insert = writeConn.prepareStatement(INSERT)) {
            while (true) {
                Pending p = queue.poll(200, TimeUnit.MILLISECONDS);
                if (p == null) {
                    if (closing) return;
                    continue;
                }
                batch.add(p);
                queue.drainTo(batch, MAX_BATCH - 1);
                if (batch.size() == 1) insertOne(insert, p);
                else insertBatch(insert, batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            LOG.error("usage ledger writer stopped: {}", e.toString());
        } finally {
            // Anything still queued (writer died or close timed out) is failed, not left hanging.
            Pending p;
            while ((p = queue.poll()) != null) p.done().completeExceptionally(new IllegalStateException("ledger closed"));
        }
    }

    /** One row in its own (implicit) transaction. */
    private static void insertOne(PreparedStatement insert, Pending p) {
        try {
            bind(insert, p.row());
            insert.executeUpdate();
            p.done().complete(null);
        } catch (SQLException | RuntimeException e) {
            LOG.warn("usage ledger write failed for request {}: {}", p.row().requestId(), e.toString());
            p.done().completeExceptionally(e);
        }
    }

    /**
     * Several rows in one transaction; each is acknowledged only after the commit. A row the database refuses fails
     * alone; a failed commit fails every row of the batch.
     */
    private void insertBatch(PreparedStatement insert, List<Pending> batch) {
        List<Pending> written = new ArrayList<>(batch.size());
        try {
            writeConn.setAutoCommit(false); // BEGIN
            for (Pending p : batch) {
                try {
                    bind(insert, p.row());
                    insert.executeUpdate();
                    written.add(p);
                } catch (SQLException | RuntimeException e) {
                    LOG.warn("usage ledger write failed for request {}: {}", p.row().requestId(), e.toString());
                    p.done().completeExceptionally(e);
                }
            }
            writeConn.setAutoCommit(true); // COMMIT
            written.forEach(p -> p.done().complete(null));
        } catch (SQLException | RuntimeException e) {
            LOG.warn("usage ledger transaction of {} rows failed: {}", batch.size(), e.toString());
            batch.forEach(p -> p.done().completeExceptionally(e)); // no-op for a row that already failed alone
            try {
                if (!writeConn.getAutoCommit()) {
                    writeConn.rollback();
                    writeConn.setAutoCommit(true);
                }
            } catch (SQLException again) {
                LOG.warn("usage ledger rollback failed: {}", again.toString());
            }
        }
    }

    private static void bind(PreparedStatement s, UsageRecord r) throws SQLException {
        s.setString(1, r.requestId());
        s.setLong(2, r.time().toEpochMilli());
        s.setString(3, r.time().atZone(ZoneOffset.UTC).toLocalDate().toString());
        s.setString(4, r.client());
        s.setString(5, r.modelAlias());
        s.setString(6, r.provider());
        s.setString(7, r.upstreamModel());
        s.setLong(8, r.promptTokens());
        s.setLong(9, r.completionTokens());
        s.setDouble(10, r.costUsd());
        s.setLong(11, r.latencyMs());
        if (r.ttftMs() == null) s.setNull(12, Types.INTEGER); else s.setLong(12, r.ttftMs());
        s.setInt(13, r.status());
        s.setString(14, r.errorCode());
        s.setInt(15, r.privateRequest() ? 1 : 0);
    }

    /**
     * Totals of the rows with {@code from <= time < to}, one line per distinct combination of {@code groupBy}
     * (all rows in one line when empty), ordered by the grouping columns. Days are UTC.
     */
    public synchronized List<UsageSummary> summary(Instant from, Instant to, Set<GroupBy> groupBy) throws SQLException {
        return UsageQueries.summary(readConn, from, to, groupBy);
    }

    /** What a client spent in {@code [from, to)}, for seeding spend budgets at start. */
    public synchronized double spentUsd(String client, Instant from, Instant to) throws SQLException {
        return UsageQueries.spentUsd(readConn, client, from, to);
    }

    /** The last {@code limit} rows, newest first (the status page's recent requests). */
    public synchronized List<UsageRecord> recent(int limit) throws SQLException {
        return UsageQueries.recent(readConn, limit);
    }

    /** Number of rows, for tests and {@code ./tailgate status}. */
    public synchronized long count() throws SQLException {
        return UsageQueries.count(readConn);
    }

    /** Stops taking rows, writes what is queued (up to 5 s), then closes. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) writer.interrupt();
        try {
            writer.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(readConn);
        closeQuietly(writeConn);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing ledger connection: {}", e.toString());
        }
    }
}
