package io.carrot.server.log;

import io.carrot.core.CarrotException;
import io.carrot.server.ServerConfig.LogConfig;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision log in a JDBC database: SQLite ({@code jdbc:sqlite:FILE}, the default) or
 * PostgreSQL ({@code jdbc:postgresql://...}).
 *
 * <p>Requests are appended from the request path without waiting for the database: one writer
 * thread stores them in batches, one transaction per batch. Nothing is dropped: when the database
 * is slow the queue fills and {@link #append} waits; when it fails the writer retries the batch;
 * {@link #close()} stores everything still queued. Thread-safe.
 */
public final class DecisionLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);
  private static final int QUEUE = 10_000;
  private static final int BATCH = 512;
  private static final Object STOP = new Object();

  static final String COLUMNS =
      "request_id, created_at, day, key_id, endpoint, requested_model, policy, mu, prompt_sha256, prompt, stream, "
          + "decision_json, chosen_model, answered_model, completion_id, input_tokens, predicted_quality, "
          + "predicted_output_tokens, predicted_cost_usd, actual_input_tokens, actual_output_tokens, actual_cost_usd, "
          + "charged_usd, price_input_per_mtok, price_output_per_mtok, router_ms, upstream_ms, total_ms, status, error, "
          + "fallbacks, attempts_json";
  private static final String INSERT =
      "INSERT INTO requests (" + COLUMNS + ") VALUES (" + "?, ".repeat(31) + "?)";

  private final String url;
  private final String user;
  private final String password;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>(QUEUE);
  private final Thread writer;
  private volatile boolean closed;
  private Connection writeConnection;

  private DecisionLog(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.writer = Thread.ofPlatform().name("carrot-log-writer").daemon().unstarted(this::writeLoop);
  }

  /**
   * Opens (and creates or migrates) the log.
   *
   * @param env looks up environment variables (the password's)
   */
  public static DecisionLog open(LogConfig config, UnaryOperator<String> env) {
    String password = null;
    if (config.passwordEnv() != null) {
      password = env.apply(config.passwordEnv());
      if (password == null) {
        throw new CarrotException(
            "log.password_env names the environment variable " + config.passwordEnv() + ", which is not set");
      }
    }
    DecisionLog log = new DecisionLog(config.url(), config.user(), password);
    try (Connection c = log.connect()) {
      Migrations.migrate(c, log.describe());
    } catch (SQLException e) {
      throw new CarrotException("cannot open the decision log " + log.describe() + ": " + e.getMessage(), e, true);
    }
    log.writer.start();
    return log;
  }

  /** The URL without credentials, for messages. */
  public String describe() {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
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
        throw new SQLException("cannot create the folder of " + p + ": " + e.getMessage(), e);
      }
    }
    Connection c = user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
    if (sqlite()) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = 10000");
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = NORMAL");
      }
    }
    return c;
  }

  /** Queues a request for storage; waits only while the queue is full. */
  public void append(LogEntry e) {
    if (closed) {
      throw new IllegalStateException("the decision log is closed");
    }
    try {
      queue.put(e);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new CarrotException("interrupted while logging request " + e.requestId(), ex);
    }
  }

  /** Waits until everything appended so far is stored. */
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
      queue.drainTo(batch, BATCH - 1);
      List<LogEntry> entries = new ArrayList<>(batch.size());
      for (Object o : batch) {
        if (o instanceof LogEntry e) {
          entries.add(e);
        } else if (o == STOP) {
          stop = true;
        }
      }
      store(entries);
      complete(batch);
    }
    // an append that raced with close() may have queued behind STOP
    batch.clear();
    queue.drainTo(batch);
    store(batch.stream().filter(LogEntry.class::isInstance).map(LogEntry.class::cast).toList());
    complete(batch);
    closeQuietly(writeConnection);
  }

  private static void complete(List<Object> batch) {
    for (Object o : batch) {
      if (o instanceof CompletableFuture<?> f) {
        f.complete(null);
      }
    }
  }

  /** Stores one batch, retrying with back-off; gives up only while closing, after 5 tries. */
  private void store(List<LogEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long backoff = 100;
    for (int attempt = 1; ; attempt++) {
      try {
        if (writeConnection == null || writeConnection.isClosed()) {
          writeConnection = connect();
        }
        insert(writeConnection, entries);
        return;
      } catch (SQLException e) {
        closeQuietly(writeConnection);
        writeConnection = null;
        if (closed && attempt >= 5) {
          LOG.error("decision log {}: lost {} requests while closing: {}", describe(), entries.size(), e.getMessage());
          return;
        }
        LOG.warn("decision log {}: cannot store {} requests (attempt {}), retrying in {} ms: {}",
            describe(), entries.size(), attempt, backoff, e.getMessage());
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
        backoff = Math.min(10_000, backoff * 2);
      }
    }
  }

  private static void insert(Connection c, List<LogEntry> entries) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement p = c.prepareStatement(INSERT)) {
      for (LogEntry e : entries) {
        int i = 1;
        p.setString(i++, e.requestId());
        p.setLong(i++, e.createdAt());
        p.setString(i++, e.day());
        p.setString(i++, e.keyId());
        p.setString(i++, e.endpoint());
        p.setString(i++, e.requestedModel());
        p.setString(i++, e.policy());
        setDouble(p, i++, e.mu());
        p.setString(i++, e.promptSha256());
        p.setString(i++, e.prompt());
        p.setInt(i++, e.stream() ? 1 : 0);
        p.setString(i++, e.decisionJson());
        p.setString(i++, e.chosenModel());
        p.setString(i++, e.answeredModel());
        p.setString(i++, e.completionId());
        setDouble(p, i++, e.inputTokens());
        setDouble(p, i++, e.predictedQuality());
        setDouble(p, i++, e.predictedOutputTokens());
        setDouble(p, i++, e.predictedCostUsd());
        setLong(p, i++, e.actualInputTokens());
        setLong(p, i++, e.actualOutputTokens());
        setDouble(p, i++, e.actualCostUsd());
        p.setDouble(i++, e.chargedUsd());
        setDouble(p, i++, e.priceInputPerMtok());
        setDouble(p, i++, e.priceOutputPerMtok());
        setDouble(p, i++, e.routerMs());
        setDouble(p, i++, e.upstreamMs());
        p.setDouble(i++, e.totalMs());
        p.setInt(i++, e.status());
        p.setString(i++, e.error());
        p.setInt(i++, e.fallbacks());
        p.setString(i, e.attemptsJson());
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

  /** USD charged per key on a UTC day, to rebuild budgets at start. */
  public Map<String, Double> spentOn(LocalDate day) {
    Map<String, Double> out = new HashMap<>();
    try (Connection c = connect();
        PreparedStatement p = c.prepareStatement("SELECT key_id, SUM(charged_usd) FROM requests WHERE day = ? GROUP BY key_id")) {
      p.setString(1, day.toString());
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          out.put(r.getString(1), r.getDouble(2));
        }
      }
    } catch (SQLException e) {
      throw new CarrotException("decision log " + describe() + ": cannot read today's spend: " + e.getMessage(), e, true);
    }
    return out;
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
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // nothing more to do with a broken connection
      }
    }
  }
}
