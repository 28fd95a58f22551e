package io.carrot.server.log;

import io.carrot.core.CarrotException;
import io.carrot.server.ServerConfig.LogConfig;
import io.carrot.server.metrics.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision log in a JDBC database: SQLite ({@code jdbc:sqlite:FILE}, the default) or
 * PostgreSQL ({@code jdbc:postgresql://...}).
 *
 * <p>Requests are appended from the request path without waiting for the database: one writer
 * thread stores them in batches, one transaction per batch (a group commit), and completes each
 * row's future once its transaction has committed, so a caller that must not answer before its row
 * is durable waits on that future (see {@link #append}). The log never blocks a caller:
 *
 * <ul>
 *   <li>the queue is bounded in bytes ({@code log.queue_bytes}); a row that does not fit is set
 *       aside in the dead-letter file at once;</li>
 *   <li>a batch the database refuses is retried row by row, and a row it refuses on its own (a
 *       constraint, a value it cannot store, a full disk) is set aside in the dead-letter file: never
 *       retried forever, never holding back the rows behind it;</li>
 *   <li>while the database cannot be reached the batch is retried with back-off (no row is at fault)
 *       and new rows queue up to the byte bound;</li>
 *   <li>{@link #close()} stores everything queued (setting rows aside after 5 failed tries).</li>
 * </ul>
 *
 * <p>Client-supplied text is made storable on every supported database first ({@link #safe}).
 * {@link #health()} says when the writer is failing or behind. The log also holds the budget
 * ledger ({@link #addSpend}) and purges old rows ({@link #purgeBefore}). Thread-safe.
 */
public final class DecisionLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);
  /** Default bound of the write queue: 64 MiB of rows. */
  public static final long DEFAULT_QUEUE_BYTES = 64L << 20;
  private static final int BATCH = 512;
  private static final Object STOP = new Object();
  /** A queue whose oldest row has waited this long is reported as behind. */
  private static final long BEHIND_NANOS = 5_000_000_000L;
  /** How long a set-aside row keeps /health degraded. */
  private static final long REFUSED_RECENT_MS = 60_000;
  /** How long a request committing its own row waits for SQLite's lock before leaving it to the writer. */
  static final long INLINE_BUSY_MS = 50;

  static final String COLUMNS =
      "request_id, created_at, day, key_id, endpoint, requested_model, policy, mu, prompt_sha256, prompt, stream, "
          + "decision_json, chosen_model, answered_model, completion_id, input_tokens, predicted_quality, "
          + "predicted_output_tokens, predicted_cost_usd, actual_input_tokens, actual_output_tokens, actual_cost_usd, "
          + "charged_usd, price_input_per_mtok, price_output_per_mtok, router_ms, upstream_ms, total_ms, status, error, "
          + "fallbacks, attempts_json, delivered_output_tokens, failure_reason";
  private static final String INSERT =
      "INSERT INTO requests (" + COLUMNS + ") VALUES (" + "?, ".repeat(33) + "?)";

  /** A queued row and the future its caller may wait on. */
  private record Pending(LogEntry entry, long bytes, long enqueued, CompletableFuture<Void> stored) {}

  private final String url;
  private final String user;
  private final String password;
  private final long maxBytes;
  private final DeadLetter deadLetter;
  private final BlockingDeque<Object> queue = new LinkedBlockingDeque<>();
  /** Held by whoever commits rows on the write connection: the writer thread or a request committing its own row. */
  private final ReentrantLock commitLock = new ReentrantLock();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Thread writer;
  private final Connections pool;
  private final Metrics.Counter stored;
  private final Metrics.Counter setAside;
  private final Metrics.Counter lost;
  private final java.util.concurrent.ScheduledExecutorService checkpointer;
  private volatile boolean closed;
  private volatile String failing;
  private volatile long lastSetAsideMs;
  private volatile String lastSetAsideError;
  private Connection writeConnection;

  private DecisionLog(String url, String user, String password, long maxBytes, DeadLetter deadLetter, Metrics metrics) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.maxBytes = maxBytes;
    this.deadLetter = deadLetter;
    this.pool = new Connections(this::connect, 16);
    this.writer = Thread.ofPlatform().name("carrot-log-writer").daemon().unstarted(this::writeLoop);
    this.checkpointer = url.startsWith("jdbc:sqlite:")
        ? java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("carrot-log-checkpoint").daemon().unstarted(r))
        : null;
    this.stored = metrics.counter("carrot_log_rows_stored_total", "Decision log rows stored in the database.");
    this.setAside = metrics.counter(
        "carrot_log_rows_dead_letter_total",
        "Decision log rows set aside in the dead-letter file, by reason (refused, queue_full, unreachable_at_close).",
        "reason");
    this.lost = metrics.counter(
        "carrot_log_rows_lost_total", "Decision log rows neither stored nor set aside (the dead-letter file could not be written).");
    metrics.gauge("carrot_log_queue_bytes", "Bytes of decision log rows waiting to be stored.",
        () -> Map.of(List.of(), (double) queuedBytes.get()));
  }

  /**
   * Opens (and creates or migrates) the log, with its own metrics.
   *
   * @param env looks up environment variables (the password's)
   */
  public static DecisionLog open(LogConfig config, UnaryOperator<String> env) {
    return open(config, env, new Metrics());
  }

  /** Opens the log; its metrics ({@code carrot_log_*}) are registered in {@code metrics}. */
  public static DecisionLog open(LogConfig config, UnaryOperator<String> env, Metrics metrics) {
    String password = null;
    if (config.passwordEnv() != null) {
      password = env.apply(config.passwordEnv());
      if (password == null) {
        throw new CarrotException(
            "log.password_env names the environment variable " + config.passwordEnv() + ", which is not set");
      }
    }
    DecisionLog log = new DecisionLog(
        config.url(), config.user(), password, config.queueBytes(), new DeadLetter(config.deadLetter()), metrics);
    try (Connection c = log.connect()) {
      Migrations.migrate(c, log.describe());
    } catch (SQLException e) {
      throw new CarrotException("cannot open the decision log " + log.describe() + ": " + e.getMessage(), e, true);
    }
    log.writer.start();
    if (log.checkpointer != null) {
      log.checkpointer.scheduleWithFixedDelay(log::checkpoint, 1, 1, TimeUnit.SECONDS);
    }
    return log;
  }

  /** The URL without credentials, for messages. */
  public String describe() {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  public Path deadLetterFile() {
    return deadLetter.file();
  }

  private boolean sqlite() {
    return url.startsWith("jdbc:sqlite:");
  }

  Connection connect() throws SQLException {
    if (sqlite()) {
      String file = url.substring("jdbc:sqlite:".length());
      int q = file.indexOf('?');
      Path p = Path.of(q < 0 ? file : file.substring(0, q));
      try {
        if (p.toAbsolutePath().getParent() != null) {
          Files.createDirectories(p.toAbsolutePath().getParent());
        }
      } catch (java.io.IOException e) {
        throw new SQLException("cannot create the folder of " + p + ": " + e.getMessage(), "08001", e);
      }
    }
    Connection c = user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
    if (sqlite()) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = 10000");
        s.execute("PRAGMA journal_mode = WAL");
        // a commit reaches the OS before it returns, so a killed process loses nothing committed;
        // only a power loss can take back the last commits (FULL would sync every one)
        s.execute("PRAGMA synchronous = NORMAL");
        // checkpoints (which sync the database file) run on their own thread, not inside a commit
        // that answers are waiting for
        s.execute("PRAGMA wal_autocheckpoint = 0");
      }
    }
    return c;
  }

  /**
   * Queues a row for storage without waiting. The future completes when the row is stored, or set
   * aside in the dead-letter file, or neither could be done (it never fails); a caller that must
   * not answer before its row is durable waits on it, bounded (a database that is down must not hold
   * answers back). A row that does not fit in the queue's byte bound is set aside at once.
   */
  public CompletableFuture<Void> append(LogEntry e) {
    Pending p = admit(e);
    if (!p.stored().isDone()) {
      queue.add(p);
    }
    return p.stored();
  }

  /** A row counted against the queue's byte bound, or set aside (its future done) when it does not fit. */
  private Pending admit(LogEntry e) {
    if (closed) {
      throw new CarrotException("the decision log " + describe() + " is closed (the server is shutting down); it takes no new rows");
    }
    Pending p = new Pending(e, e.approxBytes(), System.nanoTime(), new CompletableFuture<>());
    if (queuedBytes.addAndGet(p.bytes()) > maxBytes) {
      queuedBytes.addAndGet(-p.bytes());
      setAside(List.of(p), "queue_full", "the write queue holds more than " + maxBytes + " bytes (log.queue_bytes)", false);
    }
    return p;
  }

  /**
   * Like {@link #append}, but on SQLite, when no commit is running and the writer is healthy, the
   * row is committed on the calling thread together with whatever is queued: a caller about to wait
   * for its row saves the two thread hand-offs (to the writer and back), which on a busy machine
   * cost more than the commit. The commit waits at most {@link #INLINE_BUSY_MS} for SQLite's lock
   * (the calling thread may be a virtual thread pinned by the driver meanwhile); when it is busy or
   * fails the rows are left to the writer. On PostgreSQL rows always go through the writer,
   * which batches them (a commit there is a network round trip and a sync).
   */
  public CompletableFuture<Void> appendAndCommit(LogEntry e, long maxWaitMs) {
    Pending p = admit(e);
    if (p.stored().isDone()) {
      return p.stored();
    }
    if (!sqlite() || failing != null || !commitLock.tryLock()) {
      queue.add(p);
      return p.stored();
    }
    List<Object> taken = new ArrayList<>();
    try {
      queue.drainTo(taken, BATCH - 1);
      List<Pending> rows = pendings(taken);
      rows.add(p);
      try {
        Connection c = connection();
        try (Statement st = c.createStatement()) {
          st.execute("PRAGMA busy_timeout = " + Math.max(1, Math.min(maxWaitMs, INLINE_BUSY_MS)));
        }
        try {
          insert(c, rows);
        } finally {
          try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
          }
        }
        stored(rows);
        // flush markers and STOP are the writer's: they complete after the rows the writer holds
        taken.removeIf(Pending.class::isInstance);
      } catch (SQLException ex) {
        boolean busy = ex.getErrorCode() == 5 || ex.getErrorCode() == 6;
        if (!busy && unreachable(ex)) {
          closeQuietly(writeConnection);
          writeConnection = null;
        }
        taken.add(p);
      }
      for (int i = taken.size() - 1; i >= 0; i--) {
        queue.offerFirst(taken.get(i));
      }
    } finally {
      commitLock.unlock();
    }
    return p.stored();
  }

  /** Waits until everything appended so far is stored (or set aside). */
  public void flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      queue.put(done);
      done.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new CarrotException("interrupted while flushing the decision log", ex);
    } catch (ExecutionException | TimeoutException ex) {
      throw new CarrotException("the decision log " + describe() + " is not storing requests: " + ex.getMessage(), ex, true);
    }
  }

  /** True while the writer stores rows normally: a caller may wait for its row. */
  public boolean writing() {
    return failing == null;
  }

  /** Why the log is not healthy now; empty when it is. */
  public List<String> health() {
    List<String> out = new ArrayList<>();
    String f = failing;
    if (f != null) {
      out.add("decision log writer failing: " + f);
    }
    long bytes = queuedBytes.get();
    Object head = queue.peek();
    long age = head instanceof Pending p ? System.nanoTime() - p.enqueued() : 0;
    if (bytes > maxBytes / 2 || age > BEHIND_NANOS) {
      out.add(String.format(java.util.Locale.ROOT, "decision log writer behind: %d rows (%d bytes of %d) queued, oldest %.1f s",
          queue.size(), bytes, maxBytes, age / 1e9));
    }
    long since = System.currentTimeMillis() - lastSetAsideMs;
    if (since < REFUSED_RECENT_MS) {
      out.add("decision log rows set aside in " + deadLetter.file() + " " + since / 1000 + " s ago: " + lastSetAsideError);
    }
    return out;
  }

  private void writeLoop() {
    List<Object> batch = new ArrayList<>(BATCH);
    boolean stop = false;
    while (!stop) {
      batch.clear();
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue;
      }
      commitLock.lock();
      try {
        queue.drainTo(batch, BATCH - 1);
        stop = batch.contains(STOP);
        store(pendings(batch));
      } finally {
        commitLock.unlock();
      }
      complete(batch);
    }
    // an append that raced with close() may have queued behind STOP
    batch.clear();
    commitLock.lock();
    try {
      queue.drainTo(batch);
      store(pendings(batch));
      closeQuietly(writeConnection);
    } finally {
      commitLock.unlock();
    }
    complete(batch);
  }

  private static List<Pending> pendings(List<Object> batch) {
    List<Pending> out = new ArrayList<>(batch.size());
    for (Object o : batch) {
      if (o instanceof Pending p) {
        out.add(p);
      }
    }
    return out;
  }

  private static void complete(List<Object> batch) {
    for (Object o : batch) {
      if (o instanceof CompletableFuture<?> f) {
        f.complete(null);
      }
    }
  }

  /**
   * Stores one batch in one transaction. When the database refuses it, the rows are tried one by
   * one and those refused on their own are set aside; when it cannot be reached, the batch is
   * retried with back-off (set aside after 5 tries while closing).
   */
  private void store(List<Pending> batch) {
    List<Pending> rest = batch;
    long backoff = 100;
    for (int attempt = 1; !rest.isEmpty(); ) {
      try {
        insert(connection(), rest);
        stored(rest);
        return;
      } catch (SQLException e) {
        if (!unreachable(e)) {
          rest = oneByOne(rest);
          continue;
        }
        closeQuietly(writeConnection);
        writeConnection = null;
        failing = "cannot reach " + describe() + ": " + e.getMessage();
        if (closed && attempt >= 5) {
          setAside(rest, "unreachable_at_close", e.getMessage(), true);
          return;
        }
        LOG.warn("decision log {}: cannot store {} rows (attempt {}), retrying in {} ms: {}",
            describe(), rest.size(), attempt, backoff, e.getMessage());
        attempt++;
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
        backoff = Math.min(closed ? 1000 : 10_000, backoff * 2);
      }
    }
  }

  /** Stores rows one per transaction; sets aside those refused; returns the rest if the database went away. */
  private List<Pending> oneByOne(List<Pending> rows) {
    for (int i = 0; i < rows.size(); i++) {
      Pending p = rows.get(i);
      try {
        insert(connection(), List.of(p));
        stored(List.of(p));
      } catch (SQLException e) {
        if (unreachable(e)) {
          return rows.subList(i, rows.size());
        }
        LOG.error("decision log {}: the database refused request {}: {}; set aside in {}",
            describe(), p.entry().requestId(), e.getMessage(), deadLetter.file());
        setAside(List.of(p), "refused", e.getMessage(), true);
      }
    }
    return List.of();
  }

  private Connection connection() throws SQLException {
    if (writeConnection == null || writeConnection.isClosed()) {
      writeConnection = null;
      writeConnection = connect();
    }
    return writeConnection;
  }

  /**
   * Whether a failure says the database cannot be reached (retry later) rather than that it refuses
   * these rows: no connection, a connection exception (SQLState class 08), or SQLite busy or locked.
   */
  private boolean unreachable(SQLException e) {
    String state = e.getSQLState();
    if (writeConnection == null || (state != null && state.startsWith("08"))) {
      return true;
    }
    if (sqlite() && (e.getErrorCode() == 5 || e.getErrorCode() == 6)) {
      return true;
    }
    try {
      return !writeConnection.isValid(2);
    } catch (SQLException ex) {
      return true;
    }
  }

  private void stored(List<Pending> rows) {
    failing = null;
    for (Pending p : rows) {
      queuedBytes.addAndGet(-p.bytes());
      stored.inc();
      p.stored().complete(null);
    }
  }

  private void setAside(List<Pending> rows, String reason, String error, boolean queued) {
    List<LogEntry> entries = rows.stream().map(Pending::entry).toList();
    if (deadLetter.append(entries, reason, error)) {
      setAside.add(rows.size(), reason);
    } else {
      LOG.error("decision log {}: lost {} rows: the dead-letter file {} cannot be written either ({}: {})",
          describe(), rows.size(), deadLetter.file(), reason, error);
      lost.add(rows.size());
    }
    lastSetAsideError = reason + ": " + error;
    lastSetAsideMs = System.currentTimeMillis();
    for (Pending p : rows) {
      if (queued) {
        queuedBytes.addAndGet(-p.bytes());
      }
      p.stored().complete(null);
    }
  }

  private static void insert(Connection c, List<Pending> rows) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement p = c.prepareStatement(INSERT)) {
      for (Pending row : rows) {
        LogEntry e = row.entry();
        int i = 1;
        p.setString(i++, safe(e.requestId()));
        p.setLong(i++, e.createdAt());
        p.setString(i++, safe(e.day()));
        p.setString(i++, safe(e.keyId()));
        p.setString(i++, safe(e.endpoint()));
        p.setString(i++, safe(e.requestedModel()));
        p.setString(i++, safe(e.policy()));
        setDouble(p, i++, e.mu());
        p.setString(i++, safe(e.promptSha256()));
        p.setString(i++, safe(e.prompt()));
        p.setInt(i++, e.stream() ? 1 : 0);
        p.setString(i++, safe(e.decisionJson()));
        p.setString(i++, safe(e.chosenModel()));
        p.setString(i++, safe(e.answeredModel()));
        p.setString(i++, safe(e.completionId()));
        setDouble(p, i++, e.inputTokens());
        setDouble(p, i++, e.predictedQuality());
        setDouble(p, i++, e.predictedOutputTokens());
        setDouble(p, i++, e.predictedCostUsd());
        setLong(p, i++, e.actualInputTokens());
        setLong(p, i++, e.actualOutputTokens());
        setDouble(p, i++, e.actualCostUsd());
        p.setDouble(i++, Double.isFinite(e.chargedUsd()) ? e.chargedUsd() : 0);
        setDouble(p, i++, e.priceInputPerMtok());
        setDouble(p, i++, e.priceOutputPerMtok());
        setDouble(p, i++, e.routerMs());
        setDouble(p, i++, e.upstreamMs());
        p.setDouble(i++, Double.isFinite(e.totalMs()) ? e.totalMs() : 0);
        p.setInt(i++, e.status());
        p.setString(i++, safe(e.error()));
        p.setInt(i++, e.fallbacks());
        p.setString(i++, safe(e.attemptsJson()));
        setLong(p, i++, e.deliveredOutputTokens());
        p.setString(i, safe(e.failureReason()));
        p.addBatch();
      }
      p.executeBatch();
      c.commit();
    } catch (SQLException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection is dropped by the caller
      }
      throw e;
    }
  }

  /**
   * Text every supported database stores as given: NUL characters (which PostgreSQL refuses in
   * text) and unpaired UTF-16 surrogates (which no UTF-8 column can hold) become U+FFFD. The prompt's
   * hash is taken before, from the text as sent.
   */
  public static String safe(String s) {
    if (s == null) {
      return null;
    }
    int n = s.length();
    int i = 0;
    while (i < n && ok(s, i)) {
      i++;
    }
    if (i == n) {
      return s;
    }
    StringBuilder sb = new StringBuilder(n).append(s, 0, i);
    for (; i < n; i++) {
      sb.append(ok(s, i) ? s.charAt(i) : '\uFFFD');
    }
    return sb.toString();
  }

  private static boolean ok(String s, int i) {
    return s.charAt(i) != 0 && !unpairedSurrogateAt(s, i);
  }

  /** True when {@code s.charAt(i)} is a UTF-16 surrogate without its other half (no UTF-8 writer can encode it). */
  public static boolean unpairedSurrogateAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    return false;
  }

  private static void setDouble(PreparedStatement p, int i, Double v) throws SQLException {
    if (v == null || !Double.isFinite(v)) {
      p.setNull(i, Types.DOUBLE);
    } else {
      p.setDouble(i, v);
    }
  }

  private static void setLong(PreparedStatement p, int i, Long v) throws SQLException {
    if (v == null) {
      p.setNull(i, Types.BIGINT);
    } else {
      p.setLong(i, v);
    }
  }

  /**
   * Adds {@code usd} (negative to give back) to a key's committed spend on a UTC day, atomically in
   * the database so every instance on it shares one counter; returns the new total.
   */
  public double addSpend(String keyId, LocalDate day, double usd) {
    String sql = "INSERT INTO spend (key_id, day, usd) VALUES (?, ?, ?) "
        + "ON CONFLICT (key_id, day) DO UPDATE SET usd = spend.usd + excluded.usd RETURNING usd";
    try {
      return pool.with(c -> {
        try (PreparedStatement p = c.prepareStatement(sql)) {
          p.setString(1, safe(keyId));
          p.setString(2, day.toString());
          p.setDouble(3, usd);
          try (ResultSet r = p.executeQuery()) {
            r.next();
            return r.getDouble(1);
          }
        }
      });
    } catch (SQLException e) {
      throw new CarrotException("decision log " + describe() + ": cannot update the spend of key '" + keyId + "': " + e.getMessage(), e, true);
    }
  }

  /** A key's committed spend on a UTC day (0 when it has none). */
  public double spend(String keyId, LocalDate day) {
    try {
      return pool.with(c -> {
        try (PreparedStatement p = c.prepareStatement("SELECT usd FROM spend WHERE key_id = ? AND day = ?")) {
          p.setString(1, safe(keyId));
          p.setString(2, day.toString());
          try (ResultSet r = p.executeQuery()) {
            return r.next() ? r.getDouble(1) : 0.0;
          }
        }
      });
    } catch (SQLException e) {
      throw new CarrotException("decision log " + describe() + ": cannot read the spend of key '" + keyId + "': " + e.getMessage(), e, true);
    }
  }

  /**
   * Deletes the requests of UTC days before {@code first}, their feedback and their spend rows;
   * returns the number of requests deleted.
   */
  public int purgeBefore(LocalDate first) {
    String day = first.toString();
    try {
      return pool.with(c -> {
        c.setAutoCommit(false);
        try (PreparedStatement f = c.prepareStatement(
                "DELETE FROM feedback WHERE request_id IN (SELECT request_id FROM requests WHERE day < ?)");
            PreparedStatement r = c.prepareStatement("DELETE FROM requests WHERE day < ?");
            PreparedStatement s = c.prepareStatement("DELETE FROM spend WHERE day < ?")) {
          f.setString(1, day);
          f.executeUpdate();
          r.setString(1, day);
          int n = r.executeUpdate();
          s.setString(1, day);
          s.executeUpdate();
          c.commit();
          return n;
        } catch (SQLException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      });
    } catch (SQLException e) {
      throw new CarrotException("decision log " + describe() + ": cannot purge requests before " + day + ": " + e.getMessage(), e, true);
    }
  }

  /** A stored request, as feedback needs it. */
  public record StoredRequest(String requestId, String keyId, int status, String endpoint) {}

  /** Finds a request by carrot's request id or the upstream's completion id (after a flush). */
  public Optional<StoredRequest> find(String id) {
    flush();
    String sql = "SELECT request_id, key_id, status, endpoint FROM requests WHERE request_id = ? "
        + "UNION ALL SELECT request_id, key_id, status, endpoint FROM requests WHERE completion_id = ?";
    try (Connection c = connect();
        PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, id);
      p.setString(2, id);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? Optional.of(new StoredRequest(r.getString(1), r.getString(2), r.getInt(3), r.getString(4))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new CarrotException("decision log " + describe() + ": cannot look up request '" + id + "': " + e.getMessage(), e, true);
    }
  }

  /** Stores (or replaces) a quality grade in [0, 1] for a request. */
  public void feedback(String requestId, double score) {
    String sql = "INSERT INTO feedback (request_id, score, created_at) VALUES (?, ?, ?) "
        + "ON CONFLICT (request_id) DO UPDATE SET score = excluded.score, created_at = excluded.created_at";
    try (Connection c = connect();
        PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, requestId);
      p.setDouble(2, score);
      p.setLong(3, System.currentTimeMillis());
      p.executeUpdate();
    } catch (SQLException e) {
      throw new CarrotException("decision log " + describe() + ": cannot store feedback: " + e.getMessage(), e, true);
    }
  }

  /** Copies committed WAL pages into the SQLite file without waiting for readers or writers. */
  private void checkpoint() {
    try {
      pool.with(c -> {
        try (Statement st = c.createStatement()) {
          st.execute("PRAGMA wal_checkpoint(PASSIVE)");
        }
        return null;
      });
    } catch (SQLException e) {
      LOG.debug("decision log {}: checkpoint failed, retrying in a second: {}", describe(), e.getMessage());
    }
  }

  /** Runs {@code body} on a fresh connection (for exports and tests). */
  public <T> T query(SqlFunction<T> body) {
    flush();
    try (Connection c = connect()) {
      return body.apply(c);
    } catch (SQLException e) {
      throw new CarrotException("decision log " + describe() + ": " + e.getMessage(), e, true);
    }
  }

  /** A JDBC step that may fail. */
  @FunctionalInterface
  public interface SqlFunction<T> {
    T apply(Connection c) throws SQLException;
  }

  /** Stores everything queued, then stops the writer. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      queue.put(STOP);
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (checkpointer != null) {
      checkpointer.shutdownNow();
      checkpoint();
    }
    pool.close();
  }

  static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // nothing more to do with a broken connection
      }
    }
  }
}
